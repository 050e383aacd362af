import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { describeArgument } from '../../../cli/command';
import { main } from '../../../cli/main';

/** Runs the CLI with streams of its own; usage errors never reach AWS. */
async function run(args: readonly string[]) {
  let stderr = '';
  const code = await main(args, {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Readable.from([]),
    isTTY: false,
    env: {},
  });
  return { code, stderr };
}

const ZOHO_REFRESH_TOKEN = '1000.test-rt-0a1b2c3d4e5f60718293a4b5c6d7e8f9.a1b2c3d4e5f60718293a4b5c6d7e8f90';
const CLIENT_SECRET = 'test-cs-9f8e7d6c5b4a39281706f5e4d3c2b1a0';

describe('error messages about stray arguments', () => {
  it.each([
    ['an unknown command', [ZOHO_REFRESH_TOKEN], 'unknown command ('],
    ['an unknown subcommand', ['clients', ZOHO_REFRESH_TOKEN], "unknown subcommand of 'clients': ("],
    ['an extra positional', ['status', 'acme-books', CLIENT_SECRET], 'status: unexpected argument ('],
    ['a bad whole number', ['history', 'acme-books', '--limit', CLIENT_SECRET], '--limit must be'],
    ['an unknown option', ['status', `--${ZOHO_REFRESH_TOKEN}`], 'status: unknown option ('],
  ])('do not echo a pasted secret as %s', async (_case, args, message) => {
    // Act
    const { code, stderr } = await run(args);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('not shown: it looks like a token or secret');
    expect(stderr).not.toMatch(/test-rt-|test-cs-|1000\./);
  });

  it('still quote a plain typo, so the operator sees what was wrong', async () => {
    // Act
    const command = await run(['stauts']);
    const subcommand = await run(['clients', 'nuke']);
    const positional = await run(['status', 'acme-books', 'eu-west-1']);

    // Assess
    expect(command.stderr).toContain('unknown command "stauts"');
    expect(subcommand.stderr).toContain("unknown subcommand 'clients nuke'");
    expect(positional.stderr).toContain('status: unexpected argument "eu-west-1"');
  });
});

describe('error messages about unknown options', () => {
  it('name the option but never its inline value', async () => {
    // Act
    const { code, stderr } = await run(['status', `--token=${ZOHO_REFRESH_TOKEN}`]);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain('zoho-tokens: status: unknown option "--token"');
    expect(stderr).not.toMatch(/test-rt-|1000\./);
  });
});

describe('describeArgument', () => {
  it.each([
    ['a Zoho grant code', '1000.4f2a9c0d1e7b3a5c.8d6e0f1a2b3c4d5e'],
    ['a Zoho client id', '1000.ABCDEFGHIJ0123456789'],
    ['an AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['a hex secret', '9f8e7d6c5b4a39281706f5e4d3c2b1a0'],
    ['a long base64 blob', 'c2VjcmV0LXZhbHVlLXRoYXQtaXMtbG9uZy1lbm91Z2g='],
    ['a Zoho token after a word', 'Zoho-oauthtoken 1000.ab12cd34.ef56'],
  ])('describes %s without showing it', (_case, value) => {
    expect(describeArgument(value)).toBe(
      `(${value.length} characters, not shown: it looks like a token or secret)`,
    );
  });

  it.each([
    ['acme-books-prod-2024', '"acme-books-prod-2024"'],
    ['3f2a9c0d-1e7b-4a5c-8d6e-0f1a2b3c4d5e', '"3f2a9c0d-1e7b-4a5c-8d6e-0f1a2b3c4d5e"'],
    ['a sentence that goes on and on for quite a while', '"a sentence that goes on and on for quite…"'],
  ])('quotes %j, cut to 40 characters', (value, shown) => {
    expect(describeArgument(value)).toBe(shown);
  });
});
