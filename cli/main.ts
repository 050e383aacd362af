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
import { linkCreateCommand } from './commands/link-create';
import { refreshCommand } from './commands/refresh';
import { rejectCommand } from './commands/reject';
import { revokeCommand } from './commands/revoke';
import { statusCommand } from './commands/status';
import { sweepCommand } from './commands/sweep';
import type { EmulatorHooks } from './emulator-hooks';
import { describeFailure, EXIT_OK, EXIT_USAGE, type HintContext } from './errors';
import {
  findCommand as findCommandIn,
  groupOf,
  HELP_FLAGS,
  helpAnswer,
  operatorProgram,
  type ProgramInfo,
} from './help';
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
];

/**
 * A command-line program made of the operator commands: `zoho-tokens` itself, or the workshop's
 * development CLI (dev/cli.ts), which adds its own commands and the emulator hooks.
 */
export interface CliProgram extends ProgramInfo<CommandSpec> {
  /** Runs the functions in this process against an emulator (dev only; see emulator-hooks.ts). */
  readonly emulator?: EmulatorHooks;
}

/**
 * Runs the CLI; resolves to the exit code. Never throws. Help pages and the version are answered
 * from what the commands are (cli/help.ts) before any command runs.
 */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  program: CliProgram = OPERATOR_PROGRAM,
): Promise<number> {
  const out = createOutput(io);
  let session: AwsSession | undefined;
  let stdin: StdinReader | undefined;
  let context: HintContext = {};
  try {
    const answer = helpAnswer(argv, program);
    if (answer !== undefined) {
      io[answer.stream].write(answer.text);
      return answer.exitCode;
    }
    // `help nosuch`: what help could not answer names no command.
    const asked = argv[0] === 'help' || HELP_FLAGS.has(argv[0] ?? '') ? argv.slice(1) : argv;
    const found = findCommandIn(program.commands, asked);
    if (found === undefined || asked !== argv) return unknownCommand(out, asked, program);
    const { spec, rest } = found;
    const { values, positionals } = parseCommandArgs(spec, rest, program.name);
    if (values.help === true) {
      io.stdout.write(commandHelp(spec, program.name));
      return EXIT_OK;
    }
    context = hintContext(values, positionals);
    session = AwsSession.fromOptions(values, program.emulator);
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

/** The command `argv` names (`clients put …`, `status …`) and the arguments after its name. */
export function findCommand(
  argv: readonly string[],
  commands: readonly CommandSpec[] = COMMANDS,
): { spec: CommandSpec; rest: readonly string[] } | undefined {
  return findCommandIn(commands, argv);
}

function unknownCommand(out: Output, argv: readonly string[], program: CliProgram): number {
  const [first, second] = argv;
  const group = groupOf(program.commands, first);
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
    const words = [...new Set(program.commands.map((command) => command.name.split(' ')[0] ?? '')), 'help'];
    const meant = first === undefined ? undefined : closest(first, words);
    const list = `'${program.name} --help' lists the commands`;
    out.note(meant === undefined ? `hint: ${list}` : `hint: did you mean '${meant}'? ${list}`);
  }
  return EXIT_USAGE;
}

/** `zoho-tokens`: the operator commands, nothing of the workshop. */
export const OPERATOR_PROGRAM: CliProgram = operatorProgram(COMMANDS);

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
