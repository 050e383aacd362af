/**
 * Runs `zoho-tokens` in-process with captured streams. Everything the CLI prints also goes to the
 * suite's captured output, so the log scan of test/support/log-capture.ts covers it.
 */
import { Readable } from 'node:stream';
import { main } from '../../../cli/main';
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

export async function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
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
  });
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}

/** The escape character that starts an ANSI colour code. */
export const ESC = String.fromCharCode(27);

/** Strips ANSI colour codes. */
export const plain = (text: string) => text.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '');
