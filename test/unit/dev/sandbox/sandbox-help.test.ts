import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../../../dev/cli';

describe('npm run local -- sandbox --help', () => {
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
    expect(stdout).toContain(
      "stop by itself S seconds (1 to 86400) after the start-up, which on a first run includes moto's one-time install",
    );
  });

  it.each([
    [['--duration', '0'], '--duration must be from 1 to 86400 seconds (got 0)'],
    [['--token-lifetime', '5'], '--token-lifetime must be from 10 to 3600 seconds (got 5)'],
    [['--expire-every=-1'], '--expire-every must be from 0 (never) to 86400 seconds (got "-1")'],
    [['--sweep-interval', 'soon'], '--sweep-interval must be from 0.1 to 3600 seconds (got "soon")'],
    [['--dc', 'xx'], '--dc works only with the real Zoho'],
  ])('refuses %j as a usage error (exit 2) naming the option and what it accepts', async (args, message) => {
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
    const code = await main(['sandbox', ...args], io);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain(`zoho-tokens: ${message}`);
    expect(stderr).toContain('hint: ');
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
