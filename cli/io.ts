/**
 * The CLI's streams and environment, injectable so tests run commands in-process, plus the output
 * helpers every command uses: plain lines, JSON, colours (only on a terminal, never with NO_COLOR).
 */

import { OperationError } from './errors';

/** Standard input; a terminal's also says so and can turn its echo off (raw mode). */
export type CliStdin = AsyncIterable<string | Buffer> & {
  readonly isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
};

/** Where the CLI reads and writes. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  /** `isTTY` says whether what is written here ends up on a screen or in a log. */
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Secrets given as `-` and confirmations are read from here. */
  readonly stdin: CliStdin;
  /** True when stdout is a terminal: colours and interactive prompts. */
  readonly isTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where a file the operator must act on is written. @default process.cwd() */
  readonly cwd?: string;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** True when a person types (or pastes) into stdin: what they type is echoed unless turned off. */
export function stdinIsTerminal(io: CliIo): boolean {
  return io.stdin.isTTY === true;
}

/** True when stderr is a screen, not a file or a CI log. */
export function stderrIsTerminal(io: CliIo): boolean {
  return io.stderr.isTTY === true;
}

const STYLES = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  dim: [2, 22],
  bold: [1, 22],
} as const;

export type Style = keyof typeof STYLES;

/** Output of one command run. */
export interface Output {
  /** A line on stdout. */
  line(text?: string): void;
  /** A line on stderr (progress, warnings, prompts): never mixed into `--json` output. */
  note(text: string): void;
  /** Pretty JSON on stdout. */
  json(value: unknown): void;
  /** `text` in the given styles, or unchanged without colours. */
  paint(text: string, ...styles: Style[]): string;
  readonly colours: boolean;
  readonly io: CliIo;
}

/** Colours only on a terminal and only when NO_COLOR is unset or empty (no-color.org). */
export function coloursEnabled(io: CliIo): boolean {
  const noColor = io.env.NO_COLOR;
  return io.isTTY && (noColor === undefined || noColor === '');
}

export function createOutput(io: CliIo): Output {
  const colours = coloursEnabled(io);
  return {
    io,
    colours,
    line: (text = '') => io.stdout.write(`${text}\n`),
    note: (text) => io.stderr.write(`${text}\n`),
    json: (value) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    paint: (text, ...styles) =>
      colours
        ? styles.reduce(
            (styled, style) => `\u001b[${STYLES[style][0]}m${styled}\u001b[${STYLES[style][1]}m`,
            text,
          )
        : text,
  };
}

/**
 * One reader per run: stdin can be consumed once, partly by a prompt and partly by a secret. Reading
 * starts only when asked (an untouched terminal stdin must not keep the process alive), and
 * `close()` releases it.
 */
export class StdinReader {
  readonly #stdin: CliStdin;
  #iterator: AsyncIterator<string | Buffer> | undefined;
  #buffer = '';
  #ended = false;

  constructor(stdin: CliStdin) {
    this.#stdin = stdin;
  }

  /** The next line without its line break; undefined at the end of input. */
  async line(): Promise<string | undefined> {
    while (!this.#buffer.includes('\n') && !this.#ended) await this.#pull();
    if (this.#buffer === '' && this.#ended) return undefined;
    const end = this.#buffer.indexOf('\n');
    const line = end === -1 ? this.#buffer : this.#buffer.slice(0, end);
    this.#buffer = end === -1 ? '' : this.#buffer.slice(end + 1);
    return line.replace(/\r$/, '');
  }

  /**
   * The next line from a terminal, with its echo off (raw mode) so a pasted secret never shows on
   * the screen or in its scrollback. Read through the same buffer as {@link line}, not with a second
   * reader on the stream (readline), so a prompt and a secret can share one stdin. Enter ends it,
   * Backspace and Ctrl-U edit it, Ctrl-D on an empty line is the end of input; Ctrl-C (which raw
   * mode turns into a character instead of a signal) cancels.
   */
  async hiddenLine(): Promise<string | undefined> {
    this.#stdin.setRawMode?.(true);
    try {
      let line = '';
      for (;;) {
        if (this.#buffer === '') {
          if (this.#ended) return line === '' ? undefined : line;
          await this.#pull();
          continue;
        }
        const char = this.#buffer.charAt(0);
        this.#buffer = this.#buffer.slice(1);
        if (char === '\r' || char === '\n') {
          // A terminal sends \r\n for some pastes: the \n is part of this line's end.
          if (char === '\r' && this.#buffer.startsWith('\n')) this.#buffer = this.#buffer.slice(1);
          return withoutEscapes(line);
        }
        if (char === '\u0003') throw new OperationError('cancelled (Ctrl-C); nothing was read or changed');
        if (char === '\u0004' && line === '') return undefined;
        if (char === '\u007f' || char === '\b') line = line.slice(0, -1);
        else if (char === '\u0015') line = '';
        else line += char;
      }
    } finally {
      this.#stdin.setRawMode?.(false);
    }
  }

  /** Everything up to the end of input. */
  async rest(): Promise<string> {
    while (!this.#ended) await this.#pull();
    const all = this.#buffer;
    this.#buffer = '';
    return all;
  }

  /** Stops reading, so a terminal's stdin no longer holds the process open. */
  async close(): Promise<void> {
    const iterator = this.#iterator;
    this.#iterator = undefined;
    this.#ended = true;
    await iterator?.return?.();
  }

  async #pull(): Promise<void> {
    this.#iterator ??= this.#stdin[Symbol.asyncIterator]();
    const next = await this.#iterator.next();
    if (next.done) this.#ended = true;
    else this.#buffer += typeof next.value === 'string' ? next.value : next.value.toString('utf8');
  }
}

/** Drops what cursor and function keys type in raw mode (ESC sequences): they are not part of a secret. */
function withoutEscapes(line: string): string {
  const ESC = '\u001b';
  return line.replace(new RegExp(`${ESC}(\\[[0-9;?]*[ -/]*[@-~]|O.|.)?`, 'g'), '');
}
