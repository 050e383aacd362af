/**
 * Every help page ends with examples, and every example runs as printed: its command line is
 * parsed with the options of the command it names, exactly as the CLI would parse it.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../../cli/command';
import { COMMANDS, findCommand, main } from '../../../cli/main';
import { sandboxCommand } from '../../../cli/sandbox/command';

async function help(args: readonly string[]) {
  let stdout = '';
  const code = await main(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: () => true },
    stdin: Readable.from([]),
    isTTY: false,
    env: {},
  });
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
 * The arguments a shell would pass to `zoho-tokens` for `line`: leading `NAME=value` assignments
 * and a trailing `< FILE` are the shell's. Quotes are not allowed, so splitting on blanks is exact.
 */
function argvOf(line: string): string[] {
  expect(line, 'an example is written without quotes').not.toMatch(/["'`\\]/);
  const words = line.replace(/ < \S+$/, '').split(/\s+/);
  while (/^[A-Z_]+=\S*$/.test(words[0] ?? '')) words.shift();
  expect(words[0], line).toBe('zoho-tokens');
  return words.slice(1);
}

/** Parses `line` as the CLI would; returns the name of the command it runs. */
function parse(line: string): string {
  const argv = argvOf(line);
  if (argv[0] === 'sandbox') {
    parseCommandArgs(sandboxCommand, argv.slice(1));
    return 'sandbox';
  }
  const found = findCommand(argv);
  expect(found, `${line} names a command`).toBeDefined();
  const { spec, rest } = found as NonNullable<typeof found>;
  parseCommandArgs(spec, rest);
  return spec.name;
}

const PAGES = [
  ...[...COMMANDS, sandboxCommand].map((command) => ({
    args: [command.name.split(' '), '--help'].flat(),
    command: command.name,
  })),
  { args: ['clients', '--help'], command: undefined },
  { args: ['local', '--help'], command: undefined },
  { args: ['--help'], command: undefined },
];

describe('the examples of the help pages', () => {
  it.each(PAGES)('$args: an Examples section whose every line runs', async ({ args, command }) => {
    // Act
    const { code, stdout } = await help(args);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('\nExamples:\n  # ');
    const lines = examplesOf(stdout);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) {
      const ran = parse(line);
      // A command's page shows that command; a group's page its subcommands.
      if (command !== undefined) expect(ran, line).toBe(command);
      if (args[0] === 'clients' || args[0] === 'local')
        expect(ran.startsWith(`${args[0]} `), line).toBe(true);
    }
  });

  it("shows each subcommand's first example on its group's page", async () => {
    // Act
    const { stdout } = await help(['local', '--help']);

    // Assess
    const local = COMMANDS.filter((command) => command.name.startsWith('local '));
    expect(examplesOf(stdout)).toEqual(local.map((command) => command.examples[0].run));
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
