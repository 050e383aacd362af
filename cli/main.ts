/**
 * `zoho-tokens`: the operator CLI. Onboard, inspect, refresh, revoke and diagnose connections,
 * locally (`--aws-endpoint`) and in AWS (names from the stack's outputs). Exit codes: 0 ok,
 * 1 operation failed, 2 usage error.
 */
import { readFileSync } from 'node:fs';
import { AwsSession } from './aws-session';
import {
  type CommandSpec,
  closest,
  commandHelp,
  describeArgument,
  type Example,
  examplesSection,
  hintContext,
  looksSecret,
  parseCommandArgs,
} from './command';
import { addCommand } from './commands/add';
import { clientsPutCommand } from './commands/clients-put';
import { connectCommand } from './commands/connect';
import { doctorCommand } from './commands/doctor';
import { enableCommand } from './commands/enable';
import { historyCommand } from './commands/history';
import { linkCreateCommand } from './commands/link-create';
import { localConnectServerCommand } from './commands/local-connect-server';
import { localDrainCommand } from './commands/local-drain';
import { localInitCommand } from './commands/local-init';
import { localSetupCommand } from './commands/local-setup';
import { localWorkCommand } from './commands/local-work';
import { refreshCommand } from './commands/refresh';
import { rejectCommand } from './commands/reject';
import { revokeCommand } from './commands/revoke';
import { statusCommand } from './commands/status';
import { sweepCommand } from './commands/sweep';
import { describeFailure, EXIT_OK, EXIT_USAGE, type HintContext } from './errors';
import { type CliIo, createOutput, type Output, processIo, StdinReader } from './io';

export type { CliIo } from './io';

/** Every command, in help order. */
export const COMMANDS: readonly CommandSpec[] = [
  clientsPutCommand,
  connectCommand,
  linkCreateCommand,
  addCommand,
  statusCommand,
  historyCommand,
  refreshCommand,
  sweepCommand,
  rejectCommand,
  revokeCommand,
  enableCommand,
  doctorCommand,
  localInitCommand,
  localDrainCommand,
  localWorkCommand,
  localSetupCommand,
  localConnectServerCommand,
];

/** The sandbox (`npm start`) lives in its own module and is loaded only when asked for. */
const SANDBOX_MODULE = './sandbox/command';

const HELP_FLAGS = new Set(['--help', '-h']);

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const out = createOutput(io);
  let session: AwsSession | undefined;
  let stdin: StdinReader | undefined;
  let context: HintContext = {};
  try {
    const [first] = argv;
    if (first === undefined) {
      io.stderr.write(generalHelp());
      return EXIT_USAGE;
    }
    if (first === '--version') {
      io.stdout.write(`${packageVersion()}\n`);
      return EXIT_OK;
    }
    if (HELP_FLAGS.has(first) || first === 'help') return await help(out, io, argv.slice(1));
    const found = findCommand(argv) ?? (first === 'sandbox' ? await loadSandbox(argv) : undefined);
    if (found === undefined) {
      // `clients --help`, `local -h`: the group's subcommands.
      const group = groupOf(first);
      if (group.length > 0 && argv.length === 2 && HELP_FLAGS.has(argv[1] ?? '')) {
        io.stdout.write(groupHelp(first, group));
        return EXIT_OK;
      }
      return unknownCommand(out, argv);
    }
    const { spec, rest } = found;
    const { values, positionals } = parseCommandArgs(spec, rest);
    if (values.help === true) {
      io.stdout.write(commandHelp(spec));
      return EXIT_OK;
    }
    context = hintContext(values, positionals);
    session = AwsSession.fromOptions(values);
    stdin = new StdinReader(io.stdin);
    return await spec.run({ values, positionals, out, io, stdin, aws: session });
  } catch (error) {
    const failure = describeFailure(error, context);
    const shown = withoutPastedSecrets(argv);
    out.note(`zoho-tokens: ${shown(failure.message)}`);
    if (failure.hint !== undefined) out.note(`hint: ${shown(failure.hint)}`);
    return failure.exitCode;
  } finally {
    session?.destroy();
    await stdin?.close();
  }
}

/** `zoho-tokens help [COMMAND]`, `--help [COMMAND]`: the general help, a group's or a command's. */
async function help(out: Output, io: CliIo, topic: readonly string[]): Promise<number> {
  const [first] = topic;
  if (first === undefined) {
    io.stdout.write(generalHelp());
    return EXIT_OK;
  }
  const found = findCommand(topic) ?? (first === 'sandbox' ? await loadSandbox(topic) : undefined);
  if (found !== undefined) {
    io.stdout.write(commandHelp(found.spec));
    return EXIT_OK;
  }
  const group = groupOf(first);
  if (group.length > 0 && topic.length === 1) {
    io.stdout.write(groupHelp(first, group));
    return EXIT_OK;
  }
  return unknownCommand(out, topic);
}

/** The version of package.json, whatever directory the CLI runs from. */
function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown');
}

/** The command `argv` names (`clients put …`, `status …`) and the arguments after its name. */
export function findCommand(
  argv: readonly string[],
): { spec: CommandSpec; rest: readonly string[] } | undefined {
  const two = `${argv[0]} ${argv[1] ?? ''}`;
  const spec =
    COMMANDS.find((command) => command.name === two) ?? COMMANDS.find((command) => command.name === argv[0]);
  if (spec === undefined) return undefined;
  return { spec, rest: argv.slice(spec.name.split(' ').length) };
}

/** The subcommands of group `first` (`clients`, `local`); none for any other word. */
function groupOf(first: string | undefined): CommandSpec[] {
  return COMMANDS.filter((command) => command.name.startsWith(`${first} `));
}

async function loadSandbox(
  argv: readonly string[],
): Promise<{ spec: CommandSpec; rest: readonly string[] } | undefined> {
  const loaded = (await import(SANDBOX_MODULE).catch((error: unknown) => {
    // Absent from a trimmed install: then there is no such command. Any other error is real.
    if ((error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND') return {};
    throw error;
  })) as { sandboxCommand?: CommandSpec };
  return loaded.sandboxCommand === undefined
    ? undefined
    : { spec: loaded.sandboxCommand, rest: argv.slice(1) };
}

function unknownCommand(out: Output, argv: readonly string[]): number {
  const [first, second] = argv;
  const group = groupOf(first);
  if (group.length > 0) {
    let problem = `'${first}' needs a subcommand`;
    if (second !== undefined && looksSecret(second)) {
      problem = `unknown subcommand of '${first}': ${describeArgument(second)}`;
    } else if (second !== undefined) {
      problem = `unknown subcommand '${first} ${second.slice(0, 40)}'`;
    }
    out.note(`zoho-tokens: ${problem}`);
    const names = group.map((command) => command.name.slice(`${first} `.length));
    const meant = second === undefined ? undefined : closest(second, names);
    out.note(
      meant === undefined
        ? `hint: one of ${group.map((command) => `'${command.name}'`).join(', ')}`
        : `hint: did you mean '${first} ${meant}'?`,
    );
  } else {
    out.note(`zoho-tokens: unknown command ${describeArgument(first ?? '')}`);
    const words = [
      ...new Set(COMMANDS.map((command) => command.name.split(' ')[0] ?? '')),
      'sandbox',
      'help',
    ];
    const meant = first === undefined ? undefined : closest(first, words);
    out.note(
      meant === undefined
        ? "hint: 'zoho-tokens --help' lists the commands"
        : `hint: did you mean '${meant}'? 'zoho-tokens --help' lists the commands`,
    );
  }
  return EXIT_USAGE;
}

function groupHelp(first: string, group: readonly CommandSpec[]): string {
  const width = Math.max(...group.map((command) => command.name.length));
  return [
    `Usage: zoho-tokens ${first} <subcommand> [options]`,
    '',
    'Subcommands:',
    ...group.map((command) => `  ${command.name.padEnd(width)}  ${command.brief}`),
    '',
    `Run 'zoho-tokens ${first} <subcommand> --help' for its options.`,
    '',
    // Each subcommand's first (most common) example.
    ...examplesSection(group.map((command) => command.examples[0])),
    '',
  ].join('\n');
}

/** The examples of `zoho-tokens --help`: the commands a first session needs, in AWS and locally. */
export const GENERAL_EXAMPLES: readonly Example[] = [
  {
    what: 'The connections of the stack ZohoTokenRefresher, with the credentials and region of the profile prod',
    run: 'zoho-tokens status --profile prod',
  },
  {
    what: 'A second stack (dev) in the same account, through AWS_PROFILE',
    run: 'AWS_PROFILE=dev zoho-tokens status --stack ZohoTokenRefresher-dev',
  },
  { what: 'Everything checked, and what to fix', run: 'zoho-tokens doctor --profile prod' },
  {
    what: "Against the local emulator ('npm start' prints its URL)",
    run: 'zoho-tokens status --aws-endpoint http://127.0.0.1:5000',
  },
];

function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    'Usage: zoho-tokens <command> [options]',
    '',
    'Keeps Zoho OAuth access tokens fresh in AWS Secrets Manager: onboard, inspect, refresh, revoke and diagnose connections.',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.brief}`),
    `  ${'sandbox'.padEnd(width)}  The local sandbox (npm start)`,
    '',
    'Every command that acts on AWS takes --profile NAME and --region REGION, found as the AWS CLI finds them when',
    "absent (AWS_PROFILE; AWS_REGION, AWS_DEFAULT_REGION, else the profile's region; credentials from the SDK's chain),",
    '--aws-endpoint URL (an emulator: local mode), --stack NAME (default ZohoTokenRefresher) or --table/--bus/--key,',
    'and --json where it prints data.',
    "Secrets are read from stdin ('-') or ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN, ZOHO_GRANT_CODE, never needed on the command line.",
    'Exit codes: 0 ok, 1 an operation failed, 2 a usage error.',
    "Run 'zoho-tokens <command> --help' (or 'zoho-tokens help <command>') for its options; --version prints the version.",
    '',
    ...examplesSection(GENERAL_EXAMPLES),
    '',
  ].join('\n');
}

/**
 * A last guard on what a failure prints: an argument that looks like a token or secret (a refresh
 * token pasted where a connection id belongs, `status <client secret>`) is never repeated, whichever
 * message would have quoted it.
 */
function withoutPastedSecrets(argv: readonly string[]): (text: string) => string {
  const secrets = argv
    .flatMap((arg) => (arg.startsWith('--') && arg.includes('=') ? [arg.slice(arg.indexOf('=') + 1)] : [arg]))
    .filter((arg) => arg.length >= 8 && looksSecret(arg));
  return (text) => secrets.reduce((shown, secret) => shown.split(secret).join('[not shown]'), text);
}
