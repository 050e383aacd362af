/**
 * The CLI's streams and environment, injectable so tests run commands in-process, plus the output
 * helpers every command uses: plain lines, JSON, colours (only on a terminal, never with NO_COLOR).
 */

/** Where the CLI reads and writes. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Secrets given as `-` and confirmations are read from here. */
  readonly stdin: AsyncIterable<string | Buffer>;
  /** True when stdout is a terminal: colours and interactive prompts. */
  readonly isTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    isTTY: process.stdout.isTTY === true,
    env: process.env,
  };
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
  readonly #stdin: AsyncIterable<string | Buffer>;
  #iterator: AsyncIterator<string | Buffer> | undefined;
  #buffer = '';
  #ended = false;

  constructor(stdin: AsyncIterable<string | Buffer>) {
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
