/**
 * Every help page ends with examples, and every example runs as printed: its command line is
 * parsed with the options of the command it names, exactly as the CLI would parse it.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../../cli/command';
import { type CliProgram, COMMANDS, findCommand, main, OPERATOR_PROGRAM } from '../../../cli/main';
import { DEV_COMMANDS, DEV_PROGRAM } from '../../../dev/cli';

async function help(args: readonly string[], program: CliProgram = OPERATOR_PROGRAM) {
  let stdout = '';
  const code = await main(
    args,
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      stdin: Readable.from([]),
      isTTY: false,
      env: {},
    },
    program,
  );
  return { code, stdout };
}

/** The command lines of a page's `Examples:` section (below it, the lines not commented out). */
function examplesOf(page: string): string[] {
  const [, section = ''] = page.split('\nExamples:\n');
  return section
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * The arguments a shell would pass to `program` for `line`: leading `NAME=value` assignments
 * and a trailing `< FILE` are the shell's. Quotes are not allowed, so splitting on blanks is exact.
 */
function argvOf(line: string, program: CliProgram): string[] {
  expect(line, 'an example is written without quotes').not.toMatch(/["'`\\]/);
  const words = line.replace(/ < \S+$/, '').split(/\s+/);
  while (/^[A-Z_]+=\S*$/.test(words[0] ?? '')) words.shift();
  const name = program.name.split(' ');
  expect(words.slice(0, name.length), line).toEqual(name);
  return words.slice(name.length);
}

/** Parses `line` as `program` would; returns the name of the command it runs. */
function parse(line: string, program: CliProgram = OPERATOR_PROGRAM): string {
  const argv = argvOf(line, program);
  const found = findCommand(argv, program.commands);
  expect(found, `${line} names a command`).toBeDefined();
  const { spec, rest } = found as NonNullable<typeof found>;
  parseCommandArgs(spec, rest);
  return spec.name;
}

const PAGES = [
  ...COMMANDS.map((command) => ({
    args: [command.name.split(' '), '--help'].flat(),
    command: command.name,
    program: OPERATOR_PROGRAM,
  })),
  { args: ['clients', '--help'], command: undefined, program: OPERATOR_PROGRAM },
  { args: ['--help'], command: undefined, program: OPERATOR_PROGRAM },
  ...DEV_COMMANDS.map((command) => ({
    args: [command.name, '--help'],
    command: command.name,
    program: DEV_PROGRAM,
  })),
  { args: ['--help'], command: undefined, program: DEV_PROGRAM },
];

describe('the examples of the help pages', () => {
  it.each(PAGES)(
    '$program.name $args: an Examples section whose every line runs',
    async ({ args, command, program }) => {
      // Act
      const { code, stdout } = await help(args, program);

      // Assess
      expect(code).toBe(0);
      expect(stdout).toContain('\nExamples:\n  # ');
      const lines = examplesOf(stdout);
      expect(lines.length).toBeGreaterThanOrEqual(1);
      for (const line of lines) {
        const ran = parse(line, program);
        // A command's page shows that command; a group's page its subcommands.
        if (command !== undefined) expect(ran, line).toBe(command);
        if (args[0] === 'clients') expect(ran.startsWith(`${args[0]} `), line).toBe(true);
      }
    },
  );

  it("shows each subcommand's first example on its group's page", async () => {
    // Act
    const { stdout } = await help(['clients', '--help']);

    // Assess
    const clients = COMMANDS.filter((command) => command.name.startsWith('clients '));
    expect(examplesOf(stdout)).toEqual(clients.map((command) => command.examples[0].run));
  });

  it('shows no command of the workshop in the operator CLI, and every operator command in the dev CLI', async () => {
    // Act
    const operator = (await help(['--help'])).stdout;
    const dev = (await help(['--help'], DEV_PROGRAM)).stdout;

    // Assess
    for (const command of DEV_COMMANDS) {
      expect(operator, command.name).not.toMatch(new RegExp(`^  ${command.name} `, 'm'));
      expect(dev, command.name).toMatch(new RegExp(`^  ${command.name} `, 'm'));
    }
    for (const command of COMMANDS) expect(dev, command.name).toMatch(new RegExp(`^  ${command.name} `, 'm'));
  });

  it('shows the AWS examples with --profile, which every command that acts on AWS takes', async () => {
    // Act
    const pages = await Promise.all(
      COMMANDS.filter((command) => command.target !== false && command.target !== 'emulator').map(
        async (command) => ({ command, page: (await help([...command.name.split(' '), '--help'])).stdout }),
      ),
    );

    // Assess
    expect(pages).toHaveLength(12);
    for (const { command, page } of pages) {
      expect(page, command.name).toContain('--profile NAME');
      expect(
        examplesOf(page).some((line) => line.includes('--profile ')),
        command.name,
      ).toBe(true);
    }
  });
});
