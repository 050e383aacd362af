/**
 * The help pages of `zoho-tokens` and the version: everything the CLI answers without running a
 * command. It needs only what commands are (`CommandInfo`), never their code, so the shipped CLI
 * answers these from its build-time manifest without loading any command module or the AWS SDK.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CommandInfo, commandHelp, type Example, examplesSection } from './command';
import { EXIT_OK, EXIT_USAGE } from './errors';

export const HELP_FLAGS: ReadonlySet<string> = new Set(['--help', '-h']);

/**
 * What help pages need of a program: `zoho-tokens` itself, or the workshop's development CLI
 * (dev/cli.ts), which names itself `npm run local --` and adds its own commands.
 */
export interface ProgramInfo<C extends CommandInfo = CommandInfo> {
  /** How help pages name the program: `zoho-tokens`, `npm run local --`. */
  readonly name: string;
  /** What it is, in one line of its general help. */
  readonly about: string;
  /** Every command, in help order. */
  readonly commands: readonly C[];
  /** The examples of its general help. */
  readonly examples: readonly Example[];
}

/** What the CLI prints for an invocation it answers without running a command. */
export interface HelpAnswer {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
  readonly exitCode: number;
}

/**
 * The answer to `argv` if it asks only for help or the version (`--help`, `help status`,
 * `clients --help`, `status --help`, nothing at all), else undefined: the caller runs the command
 * or reports the mistake.
 */
export function helpAnswer(argv: readonly string[], program: ProgramInfo): HelpAnswer | undefined {
  const { commands, name } = program;
  const [first, second] = argv;
  if (first === undefined) return { stream: 'stderr', text: generalHelp(program), exitCode: EXIT_USAGE };
  if (first === '--version') return stdout(`${packageVersion()}\n`);
  if (HELP_FLAGS.has(first) || first === 'help') return topicHelp(argv.slice(1), program);
  const found = findCommand(commands, argv);
  if (found !== undefined) {
    const [flag] = found.rest;
    return found.rest.length === 1 && flag !== undefined && HELP_FLAGS.has(flag)
      ? stdout(commandHelp(found.spec, name))
      : undefined;
  }
  const group = groupOf(commands, first);
  if (group.length > 0 && argv.length === 2 && second !== undefined && HELP_FLAGS.has(second)) {
    return stdout(groupHelp(first, group, name));
  }
  return undefined;
}

/** `help [TOPIC]`, `--help [TOPIC]`: the general help, a command's or a group's. */
function topicHelp(topic: readonly string[], program: ProgramInfo): HelpAnswer | undefined {
  const { commands, name } = program;
  const [first] = topic;
  if (first === undefined) return stdout(generalHelp(program));
  const found = findCommand(commands, topic);
  if (found !== undefined) return stdout(commandHelp(found.spec, name));
  const group = groupOf(commands, first);
  return group.length > 0 && topic.length === 1 ? stdout(groupHelp(first, group, name)) : undefined;
}

const stdout = (text: string): HelpAnswer => ({ stream: 'stdout', text, exitCode: EXIT_OK });

/** The command `argv` names (`clients put …`, `status …`) and the arguments after its name. */
export function findCommand<C extends CommandInfo>(
  commands: readonly C[],
  argv: readonly string[],
): { spec: C; rest: readonly string[] } | undefined {
  const two = `${argv[0]} ${argv[1] ?? ''}`;
  const spec =
    commands.find((command) => command.name === two) ?? commands.find((command) => command.name === argv[0]);
  if (spec === undefined) return undefined;
  return { spec, rest: argv.slice(spec.name.split(' ').length) };
}

/** The subcommands of group `first` (`clients`, `link`); none for any other word. */
export function groupOf<C extends CommandInfo>(commands: readonly C[], first: string | undefined): C[] {
  return commands.filter((command) => command.name.startsWith(`${first} `));
}

/**
 * The version of the package's package.json: the first one above this module (`cli/` in a clone,
 * a chunk of `dist/cli/` in the package).
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const text = readFileSync(join(dir, 'package.json'), 'utf8');
      return String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown');
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return 'unknown';
      dir = parent;
    }
  }
}

function groupHelp(first: string, group: readonly CommandInfo[], programName: string): string {
  const width = Math.max(...group.map((command) => command.name.length));
  return [
    `Usage: ${programName} ${first} <subcommand> [options]`,
    '',
    'Subcommands:',
    ...group.map((command) => `  ${command.name.padEnd(width)}  ${command.brief}`),
    '',
    `Run '${programName} ${first} <subcommand> --help' for its options.`,
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
    what: "Against an emulator ('npm start' prints its URL)",
    run: 'zoho-tokens status --aws-endpoint http://127.0.0.1:5000',
  },
];

/** What `zoho-tokens` says it is, in its general help. */
export const OPERATOR_ABOUT =
  'Keeps Zoho OAuth access tokens fresh in AWS Secrets Manager: onboard, inspect, refresh, revoke and diagnose connections.';

/** `zoho-tokens` made of `commands`: the full commands, or the shipped CLI's manifest of them. */
export function operatorProgram<C extends CommandInfo>(commands: readonly C[]): ProgramInfo<C> {
  return { name: 'zoho-tokens', about: OPERATOR_ABOUT, commands, examples: GENERAL_EXAMPLES };
}

/** The general help of `program` (`zoho-tokens --help`). */
export function generalHelp(program: ProgramInfo): string {
  const { name, commands } = program;
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    `Usage: ${name} <command> [options]`,
    '',
    program.about,
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.brief}`),
    '',
    'Every command that acts on AWS takes --profile NAME and --region REGION, found as the AWS CLI finds them when',
    "absent (AWS_PROFILE; AWS_REGION, AWS_DEFAULT_REGION, else the profile's region; credentials from the SDK's chain),",
    '--aws-endpoint URL (an emulator: local mode), --stack NAME (default ZohoTokenRefresher) or --table/--bus/--key,',
    'and --json where it prints data.',
    "Secrets are read from stdin ('-') or ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN, ZOHO_GRANT_CODE, never needed on the command line.",
    'Exit codes: 0 ok, 1 an operation failed, 2 a usage error.',
    `Run '${name} <command> --help' (or '${name} help <command>') for its options; --version prints the version.`,
    '',
    ...examplesSection(program.examples),
    '',
  ].join('\n');
}
