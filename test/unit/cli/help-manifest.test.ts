/**
 * The shipped CLI answers help and `--version` from the manifest written at build time, without
 * loading any command: every page it prints that way must be the page the CLI itself prints.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commandsManifest } from '../../../build/cli-bundling';
import type { CommandInfo } from '../../../cli/command';
import { helpAnswer, operatorProgram } from '../../../cli/help';
import { COMMANDS, main } from '../../../cli/main';

async function printed(argv: readonly string[]) {
  let stdout = '';
  let stderr = '';
  const exitCode = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Readable.from([]),
    isTTY: false,
    env: {},
  });
  return { exitCode, stdout, stderr };
}

const manifest = JSON.parse(commandsManifest(COMMANDS)) as CommandInfo[];
const groups = [
  ...new Set(COMMANDS.flatMap((c) => (c.name.includes(' ') ? [c.name.split(' ')[0] ?? ''] : []))),
];
const helpInvocations: string[][] = [
  [],
  ['--help'],
  ['-h'],
  ['help'],
  ['--version'],
  ...COMMANDS.flatMap((c) => [
    [...c.name.split(' '), '--help'],
    [...c.name.split(' '), '-h'],
    ['help', ...c.name.split(' ')],
    ['--help', ...c.name.split(' ')],
  ]),
  ...groups.flatMap((group) => [
    [group, '--help'],
    ['help', group],
  ]),
];

describe('help from the manifest', () => {
  it('holds every command, and no code', () => {
    // Assess
    expect(manifest.map((info) => info.name)).toEqual(COMMANDS.map((spec) => spec.name));
    expect(manifest.filter((info) => 'run' in info)).toEqual([]);
  });

  it.each(helpInvocations.map((argv) => ({ argv, line: argv.join(' ') || '(no arguments)' })))(
    'answers `zoho-tokens $line` exactly as the CLI does',
    async ({ argv }) => {
      // Act
      const answer = helpAnswer(argv, operatorProgram(manifest));
      const expected = await printed(argv);

      // Assess
      expect(answer).toBeDefined();
      expect({
        exitCode: answer?.exitCode,
        stdout: answer?.stream === 'stdout' ? answer.text : '',
        stderr: answer?.stream === 'stderr' ? answer.text : '',
      }).toEqual(expected);
    },
  );

  it.each(
    [
      ['status', 'acme-books'],
      ['status', '--bogus', '--help'],
      ['sandbox', '--help'],
      ['help', 'sandbox'],
      ['statsu', '--help'],
      ['clients', 'nope'],
    ].map((argv) => ({ argv, line: argv.join(' ') })),
  )(
    'leaves `zoho-tokens $line` to the CLI (a command to run, a mistake to explain, or the sandbox)',
    ({ argv }) => {
      // Act
      const answer = helpAnswer(argv, operatorProgram(manifest));

      // Assess
      expect(answer).toBeUndefined();
    },
  );
});
