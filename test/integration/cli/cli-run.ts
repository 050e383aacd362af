/**
 * Runs `zoho-tokens` in-process with captured streams, with the workshop's emulator hooks plugged in
 * (the functions run in this process against the emulator), as `npm run local --` runs it; or the
 * workshop's CLI itself. Everything the CLI prints also goes to the suite's captured output, so the
 * log scan of test/support/log-capture.ts covers it.
 */
import { Readable } from 'node:stream';
import { type CliProgram, main, OPERATOR_PROGRAM } from '../../../cli/main';
import { DEV_PROGRAM } from '../../../dev/cli';
import { DEV_EMULATOR_HOOKS } from '../../../dev/emulator/hooks';
import { capturedOutput } from '../../support/log-capture';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON. */
  json<T = unknown>(): T;
}

export interface RunOptions {
  readonly stdin?: string;
  readonly env?: Record<string, string>;
  readonly isTTY?: boolean;
}

/** The operator commands, named and helped as `zoho-tokens`, with the functions run in this process. */
export const OPERATOR_WITH_HOOKS: CliProgram = { ...OPERATOR_PROGRAM, emulator: DEV_EMULATOR_HOOKS };

/** `zoho-tokens ARGS` (its functions in this process against an emulator). */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return run(OPERATOR_WITH_HOOKS, args, options);
}

/** `npm run local -- ARGS`: the workshop's CLI. */
export function runDevCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return run(DEV_PROGRAM, args, options);
}

async function run(program: CliProgram, args: readonly string[], options: RunOptions): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(
    args,
    {
      stdout: {
        write: (text: string) => {
          stdout += text;
          capturedOutput.push(text);
        },
      },
      stderr: {
        write: (text: string) => {
          stderr += text;
          capturedOutput.push(text);
        },
      },
      stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
      isTTY: options.isTTY ?? false,
      env: options.env ?? {},
    },
    program,
  );
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}

/** The escape character that starts an ANSI colour code. */
export const ESC = String.fromCharCode(27);

/** Strips ANSI colour codes. */
export const plain = (text: string) => text.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '');
