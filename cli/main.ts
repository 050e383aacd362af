/**
 * `zoho-tokens`: the operator CLI. Onboard, inspect, refresh, revoke and diagnose connections,
 * locally (`--aws-endpoint`) and in AWS (names from the stack's outputs). Exit codes: 0 ok,
 * 1 operation failed, 2 usage error.
 */
import { AwsSession } from './aws-session';
import {
  type CommandSpec,
  closest,
  commandHelp,
  describeArgument,
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
import { findCommand as findCommandIn, groupOf, HELP_FLAGS, helpAnswer } from './help';
import { type CliIo, createOutput, type Output, processIo, StdinReader } from './io';

export type { CliIo } from './io';

/** Every command, in help order. */
export const COMMANDS: readonly CommandSpec[] = [
  clientsPutCommand,
  connectCommand,
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
];

/** The sandbox (`npm start`) lives in its own module and is loaded only when asked for. */
const SANDBOX_MODULE = './sandbox/command';

/**
 * Runs the CLI; resolves to the exit code. Never throws. Help pages and the version are answered
 * from what the commands are (cli/help.ts) before any command runs.
 */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  // Another entry (a development wing) may run the CLI with more commands than the operator's.
  commands: readonly CommandSpec[] = COMMANDS,
): Promise<number> {
  const answer = helpAnswer(argv, commands);
  if (answer !== undefined) {
    io[answer.stream].write(answer.text);
    return answer.exitCode;
  }
  return runCommand(argv, io, commands);
}

/** Runs the command `argv` names: what `main` does once no help page answers it. */
async function runCommand(
  argv: readonly string[],
  io: CliIo,
  commands: readonly CommandSpec[],
): Promise<number> {
  const out = createOutput(io);
  let session: AwsSession | undefined;
  let stdin: StdinReader | undefined;
  let context: HintContext = {};
  try {
    const [first] = argv;
    if (first !== undefined && (HELP_FLAGS.has(first) || first === 'help'))
      return await help(out, io, argv.slice(1), commands);
    const found =
      findCommandIn(commands, argv) ?? (first === 'sandbox' ? await loadSandbox(argv) : undefined);
    if (found === undefined) return unknownCommand(out, argv, commands);
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

/** `help TOPIC` that cli/help.ts leaves: the sandbox's page, or a topic that names nothing. */
async function help(
  out: Output,
  io: CliIo,
  topic: readonly string[],
  commands: readonly CommandSpec[],
): Promise<number> {
  const found = topic[0] === 'sandbox' ? await loadSandbox(topic) : undefined;
  if (found === undefined) return unknownCommand(out, topic, commands);
  io.stdout.write(commandHelp(found.spec));
  return EXIT_OK;
}

/** The command `argv` names (`clients put …`, `status …`) and the arguments after its name. */
export const findCommand = (argv: readonly string[]) => findCommandIn(COMMANDS, argv);

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

function unknownCommand(out: Output, argv: readonly string[], commands: readonly CommandSpec[]): number {
  const [first, second] = argv;
  const group = groupOf(commands, first);
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
      ...new Set(commands.map((command) => command.name.split(' ')[0] ?? '')),
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
