import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OperationError, UsageError } from '../../../cli/errors';
import { readSecret } from '../../../cli/secret-input';
import { fakeContext, terminalStdin } from './fake-context';

const SOURCE = { option: 'refresh-token', envVar: 'ZOHO_REFRESH_TOKEN', what: 'the refresh token' };
const FROM_STDIN = { 'refresh-token': '-' };

describe('a secret given as - on a terminal', () => {
  it('is read with the echo off, and only the prompt is shown', async () => {
    // Prepare: pasted in two chunks, with a typo corrected by Backspace
    const stdin = terminalStdin(['1000.test-rt-pasted', 'x\u007f', '\r']);
    const run = fakeContext({ values: FROM_STDIN, stdin });

    // Act
    const secret = await readSecret(run.ctx, SOURCE);

    // Assess: raw mode on while reading, off afterwards; nothing but the prompt on any stream
    expect(secret).toBe('1000.test-rt-pasted');
    expect(stdin.rawModes).toEqual([true, false]);
    expect(run.stderr()).toBe('Paste the refresh token, then press Enter (it is not shown):\n\n');
    expect(run.stdout()).toBe('');
  });

  it('drops cursor keys and what Ctrl-U cleared, and leaves what follows the line unread', async () => {
    // Prepare
    const stdin = terminalStdin(['wrong\u0015', '1000.test-rt-\u001b[D', 'typed\r\nyes\n']);
    const run = fakeContext({ values: FROM_STDIN, stdin });

    // Act
    const secret = await readSecret(run.ctx, SOURCE);
    const next = await run.ctx.stdin.line();

    // Assess
    expect(secret).toBe('1000.test-rt-typed');
    expect(next).toBe('yes');
  });

  it('is cancelled by Ctrl-C, with the echo turned back on', async () => {
    // Prepare
    const stdin = terminalStdin(['1000.test-rt-half', '\u0003']);
    const run = fakeContext({ values: FROM_STDIN, stdin });

    // Act
    const error = await readSecret(run.ctx, SOURCE).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(OperationError);
    expect((error as Error).message).toContain('cancelled');
    expect(stdin.rawModes).toEqual([true, false]);
    expect(run.stderr()).not.toContain('test-rt-');
  });

  it('reads nothing at Ctrl-D and says so', async () => {
    // Prepare
    const stdin = terminalStdin(['\u0004']);
    const run = fakeContext({ values: FROM_STDIN, stdin });

    // Act
    const error = await readSecret(run.ctx, SOURCE).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe('--refresh-token - read nothing from standard input');
    expect(stdin.rawModes).toEqual([true, false]);
  });
});

describe('a secret given as - through a pipe', () => {
  it('is read to the end without a prompt, even when stdout is a terminal', async () => {
    // Prepare: `… | zoho-tokens add … --refresh-token -` typed in a terminal
    const run = fakeContext({
      values: FROM_STDIN,
      isTTY: true,
      stdin: Readable.from(['1000.test-rt-piped\n']),
    });

    // Act
    const secret = await readSecret(run.ctx, SOURCE);

    // Assess
    expect(secret).toBe('1000.test-rt-piped');
    expect(run.stderr()).toBe('');
  });
});
