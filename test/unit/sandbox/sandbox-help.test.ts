import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main';

describe('zoho-tokens sandbox --help', () => {
  it('lists the target options the sandbox uses, and none it would ignore', async () => {
    // Prepare
    let stdout = '';
    const io = {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      stdin: Readable.from([]),
      isTTY: false,
      env: {},
    };

    // Act
    const code = await main(['sandbox', '--help'], io);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('--aws-endpoint URL');
    expect(stdout).toContain('--region REGION');
    for (const ignored of ['--stack', '--table', '--bus', '--key', '--secret-prefix', '--json']) {
      expect(stdout).not.toContain(ignored);
    }
  });

  it('refuses an option it would ignore instead of accepting it silently', async () => {
    // Prepare
    let stderr = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      stdin: Readable.from([]),
      isTTY: false,
      env: {},
    };

    // Act
    const code = await main(['sandbox', '--stack', 'Other'], io);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain('sandbox: unknown option "--stack"');
  });
});
