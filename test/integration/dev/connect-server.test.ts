/**
 * `npm run local -- connect-server` as a developer runs it: a child process serving the connect
 * endpoint against the emulator until SIGINT.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/infra-support';
import { useCliWorld } from '../cli/cli-world';

const world = useCliWorld();

/** The first line the process prints on stdout. */
async function firstLine(child: ChildProcess): Promise<string> {
  let text = '';
  for await (const chunk of child.stdout ?? []) {
    text += String(chunk);
    if (text.includes('\n')) return text.slice(0, text.indexOf('\n'));
  }
  throw new Error(`the connect server printed no line and ended (stdout: ${text})`);
}

describe('npm run local -- connect-server', () => {
  it('serves the connect endpoint until Ctrl-C, and answers an unknown link with its page', async () => {
    // Prepare
    const args = [
      join(PROJECT_ROOT, 'dev', 'local.js'),
      ...world.localCustom('connect-server', '--port', '0'),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      // Act
      const line = await firstLine(child);
      const baseUrl = /^Connect endpoint: (\S+) {2}\(redirect URI (\S+)\)$/.exec(line);
      const answer = await fetch(`${baseUrl?.[1]}/connect?state=never-issued`);
      const body = await answer.text();
      child.kill('SIGINT');
      const [code] = await once(child, 'exit');
      // Assess
      expect(baseUrl?.[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(baseUrl?.[2]).toBe(`${baseUrl?.[1]}/callback`);
      expect(answer.status).toBe(404);
      expect(body).toContain('data-page="link_unknown"');
      expect(code).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
