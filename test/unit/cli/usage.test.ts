/**
 * How the CLI answers a new user's first mistakes: help in every spelling, the version, suggestions
 * for typos, a malformed --aws-endpoint, a missing connection id. None of this reaches AWS.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { allOptions, closest, hintContext } from '../../../cli/command';
import { describeFailure } from '../../../cli/errors';
import { type CliProgram, COMMANDS, main, OPERATOR_PROGRAM } from '../../../cli/main';
import { DEV_PROGRAM } from '../../../dev/cli';
import {
  ClientCredentialsNotFoundError,
  ConnectionAlreadyExistsError,
  MisconfiguredClientError,
} from '../../../functions/core/errors';

async function run(args: readonly string[], program: CliProgram = OPERATOR_PROGRAM) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Readable.from([]),
    isTTY: false,
    env: {},
  };
  const code = await main(args, io, program);
  return { code, stdout, stderr };
}

const NOT_A_TOKEN = 'test-rt-0a1b2c3d4e5f60718293a4b5c6d7e8f9';

describe('help', () => {
  it.each([[['help']], [['--help']], [['-h']]])('%j prints the command list and exits 0', async (args) => {
    // Act
    const { code, stdout } = await run(args);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: zoho-tokens <command> [options]');
    expect(stdout).toMatch(/\n {2}status +Show the connections/);
  });

  it.each([[['help', 'status']], [['--help', 'status']], [['status', '--help']]])(
    '%j prints the help of the command and exits 0',
    async (args) => {
      // Act
      const { code, stdout } = await run(args);

      // Assess
      expect(code).toBe(0);
      expect(stdout).toMatch(/^Usage: zoho-tokens status \[ID\] \[--check\]\n/);
    },
  );

  it.each([
    [['clients', '--help'], 'clients', ['clients put']],
    [['clients', '-h'], 'clients', ['clients put']],
    [['help', 'clients'], 'clients', ['clients put']],
  ])('%j lists the subcommands of the group and exits 0', async (args, group, subcommands) => {
    // Act
    const { code, stdout, stderr } = await run(args);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain(`Usage: zoho-tokens ${group} <subcommand> [options]`);
    for (const name of subcommands) expect(stdout).toMatch(new RegExp(`\\n {2}${name} +\\S`));
    expect(stdout).toContain(`Run 'zoho-tokens ${group} <subcommand> --help' for its options.`);
  });

  it('still exits 2 for a group without a subcommand, and for help on an unknown command', async () => {
    // Act
    const bare = await run(['clients']);
    const unknown = await run(['help', 'nosuch']);

    // Assess
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("zoho-tokens: 'clients' needs a subcommand");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('zoho-tokens: unknown command "nosuch"');
  });

  it("offers no --stack to the workshop's emulator-only commands, which would ignore it", async () => {
    // Act
    const init = await run(['init', '--help'], DEV_PROGRAM);
    const drain = await run(['drain', '--help'], DEV_PROGRAM);
    const refused = await run(
      ['init', '--stack', 'Mine', '--aws-endpoint', 'http://127.0.0.1:1'],
      DEV_PROGRAM,
    );

    // Assess
    for (const help of [init, drain]) {
      expect(help.code).toBe(0);
      expect(help.stdout).not.toContain('--stack');
      expect(help.stdout).toContain('--aws-endpoint URL');
      expect(help.stdout).toContain('--table NAME');
      expect(help.stdout).toContain('(instead of the local default)');
    }
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('init: unknown option "--stack"');
    // Every operator command can act on a deployed stack, and takes it.
    for (const spec of COMMANDS) {
      expect(Object.keys(allOptions(spec)), spec.name).toContain('stack');
    }
  });
});

describe('--version', () => {
  it("prints package.json's version and exits 0", async () => {
    // Prepare
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

    // Act
    const { code, stdout } = await run(['--version']);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toBe(`${version}\n`);
  });
});

describe('did you mean', () => {
  it.each([
    [['statsu'], 'unknown command "statsu"', "hint: did you mean 'status'?"],
    [['stauts'], 'unknown command "stauts"', "hint: did you mean 'status'?"],
    [['docter'], 'unknown command "docter"', "hint: did you mean 'doctor'?"],
    [['clients', 'pt'], "unknown subcommand 'clients pt'", "hint: did you mean 'clients put'?"],
    [
      ['status', '--aws-endpiont', 'http://127.0.0.1:5000'],
      'status: unknown option "--aws-endpiont"',
      "hint: did you mean --aws-endpoint? See 'zoho-tokens status --help'",
    ],
    [['refresh', 'acme', '--froce'], 'refresh: unknown option "--froce"', 'hint: did you mean --force?'],
  ])('%j suggests the near miss', async (args, message, hint) => {
    // Act
    const { code, stderr } = await run(args);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain(`zoho-tokens: ${message}`);
    expect(stderr).toContain(hint);
  });

  it('suggests nothing for what is no near miss', async () => {
    // Act
    const command = await run(['frobnicate']);
    const option = await run(['status', '--colour']);

    // Assess
    expect(command.stderr).toContain("hint: 'zoho-tokens --help' lists the commands");
    expect(command.stderr).not.toContain('did you mean');
    expect(option.stderr).toContain("hint: see 'zoho-tokens status --help'");
    expect(option.stderr).not.toContain('did you mean');
  });

  it('finds the closest name within two edits, a swap of neighbours counting as one', () => {
    expect(closest('statsu', ['status', 'history'])).toBe('status');
    expect(closest('aws-endpiont', ['aws-endpoint', 'region'])).toBe('aws-endpoint');
    expect(closest('revkoe', ['revoke', 'reject'])).toBe('revoke');
    expect(closest('sweeeep', ['sweep'])).toBe('sweep');
    expect(closest('sweeeeep', ['sweep'])).toBeUndefined();
    // Ambiguous, too short to recognise, or a pasted secret: no suggestion.
    expect(closest('tab', ['tax', 'tap'])).toBeUndefined();
    expect(closest('d', ['dc'])).toBeUndefined();
    expect(closest(NOT_A_TOKEN, [NOT_A_TOKEN.slice(1)])).toBeUndefined();
  });
});

describe('usage errors', () => {
  it.each(['notaurl', 'ftp://127.0.0.1:5000', '127.0.0.1:5000'])(
    '--aws-endpoint %s exits 2 naming the flag, before any AWS call',
    async (endpoint) => {
      // Act
      const { code, stderr } = await run(['status', '--aws-endpoint', endpoint]);

      // Assess
      expect(code).toBe(2);
      expect(stderr).toContain(`zoho-tokens: --aws-endpoint must be an http(s) URL (got "${endpoint}")`);
      expect(stderr).toContain('hint: e.g. --aws-endpoint http://127.0.0.1:5000');
      expect(stderr).not.toContain('unexpected');
    },
  );

  it.each(['history', 'refresh', 'revoke', 'enable', 'reject'])(
    '%s without an id names what is missing, as a missing option does',
    async (command) => {
      // Act
      const { code, stderr } = await run([command]);

      // Assess
      expect(code).toBe(2);
      expect(stderr).toContain(`zoho-tokens: ${command}: missing connection ID`);
      expect(stderr).toContain(`hint: usage: zoho-tokens ${command} ID`);
    },
  );
});

describe('hints', () => {
  it('fill in the connection id and client app of the command line', () => {
    // Prepare
    const context = hintContext({ client: 'nosuch', id: 'acme-books' }, []);

    // Act
    const client = describeFailure(new ClientCredentialsNotFoundError('nosuch'), context);
    const taken = describeFailure(new ConnectionAlreadyExistsError('acme'), hintContext({ id: 'acme' }, []));

    // Assess
    expect(client.hint).toBe(
      "store the client app with 'zoho-tokens clients put --client nosuch --client-id <id> --client-secret -'",
    );
    expect(taken.hint).toBe("choose another --id, or 'zoho-tokens revoke acme' the active connection first");
  });

  it('never fill in a value shaped like a secret', () => {
    // Act
    const context = hintContext({ client: NOT_A_TOKEN }, [`1000.${NOT_A_TOKEN}`]);

    // Assess
    expect(context).toEqual({ accountsServerGiven: false });
    expect(describeFailure(new ClientCredentialsNotFoundError('x'), context).hint).toContain(
      '--client <name>',
    );
  });

  it('say to check the accounts server, not --dc, when --accounts-server named the data centre', () => {
    // Prepare
    const error = new MisconfiguredClientError('invalid_client', 'the client id is unknown here');

    // Act
    const byServer = describeFailure(
      error,
      hintContext({ 'accounts-server': 'https://accounts.zoho.eu' }, []),
    );
    const byDc = describeFailure(error, hintContext({ dc: 'eu' }, []));

    // Assess
    expect(byServer.hint).toMatch(/^check that the accounts server is the user's data centre/);
    expect(byServer.hint).not.toContain('--dc first');
    expect(byDc.hint).toMatch(/^check --dc first/);
  });
});

describe('a value that starts with a dash', () => {
  it('says how to write it instead of parseArgs’ first line', async () => {
    // Act
    const { code, stderr } = await run(['sandbox', '--expire-every', '-1'], DEV_PROGRAM);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toBe(
      "zoho-tokens: sandbox: --expire-every needs a value; one that starts with '-' is written --expire-every=-VALUE\nhint: see 'npm run local -- sandbox --help'\n",
    );
  });

  it('for a secret, points to stdin instead of the command line', async () => {
    // Act
    const { code, stderr } = await run([
      'clients',
      'put',
      '--client',
      'books',
      '--client-secret',
      '-test-cs-x1',
    ]);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain("--client-secret needs a value: pass '-' and give the secret on stdin");
    expect(stderr).not.toContain('test-cs-');
  });
});

describe('a secret pasted where a name belongs', () => {
  it('is not echoed by the connection-id check (a refresh token is longer than any id)', async () => {
    // Prepare
    const refreshToken = '1000.test-rt-0a1b2c3d4e5f6071829.a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5';

    // Act
    const { code, stderr } = await run(['doctor', refreshToken, '--aws-endpoint', 'http://127.0.0.1:1']);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain(`(got a string of ${refreshToken.length} characters, not shown)`);
    expect(stderr).not.toContain('test-rt-');
  });
});
