/**
 * What the sandbox shows: a status table of the connections and the latest events. On a terminal
 * the whole block is redrawn in place every second; elsewhere (a pipe, a log file, CI) each event is
 * one appended line, and the table is printed after each sweep and at the end.
 */
import type { Connection } from '../../functions/core/connection';
import { duration, relative } from '../format';
import { describeEvent, type TimedEvent } from './events';
import type { SandboxOutput } from './options';

export const TABLE_HEADERS = [
  'connection',
  'dc',
  'status',
  'version',
  'expires in',
  'last refresh',
  'zoho calls',
] as const;

const RECENT_EVENTS = 12;

/** The table's lines for `connections` at `now`; `zohoCalls` counts token requests per connection. */
export function renderTable(
  connections: readonly Connection[],
  zohoCalls: ReadonlyMap<string, number>,
  now: number,
): string[] {
  const rows = connections.map((c) => [
    c.connectionId,
    c.dc,
    c.status,
    String(c.version),
    c.expiresAt === 0 ? '-' : c.expiresAt <= now ? 'expired' : duration(c.expiresAt - now),
    c.refreshedAt === undefined ? '-' : relative(c.refreshedAt, now),
    String(zohoCalls.get(c.connectionId) ?? 0),
  ]);
  const widths = TABLE_HEADERS.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(TABLE_HEADERS), ...rows.map(line)];
}

/** `12:00:03  demo-us  refreshed v2 (scheduled, 1 Zoho call)`, in local time. */
export function eventLine(event: TimedEvent): string {
  return `${new Date(event.at).toTimeString().slice(0, 8)}  ${describeEvent(event)}`;
}

/** Draws the sandbox on a terminal (in place) or as appended lines. */
export class SandboxView {
  readonly #out: SandboxOutput;
  readonly #recent: string[] = [];
  #table: string[] = [];
  #drawnLines = 0;

  constructor(out: SandboxOutput) {
    this.#out = out;
  }

  /** A line above the table (what runs where), printed at once; the redrawn block stays below it. */
  header(text: string): void {
    this.#out.write(`${text}\n`);
  }

  event(event: TimedEvent): void {
    const text = eventLine(event);
    if (!this.#out.isTTY) {
      this.#out.write(`${text}\n`);
      return;
    }
    this.#recent.push(text);
    if (this.#recent.length > RECENT_EVENTS) this.#recent.shift();
  }

  /** New table contents; a terminal shows them at the next redraw. */
  table(lines: string[]): void {
    this.#table = lines;
  }

  /** Redraws the block in place (terminal only). */
  redraw(): void {
    if (!this.#out.isTTY) return;
    const block = ['', ...this.#table, '', 'Recent events:', ...this.#recent];
    // Up to the block's first line, clear to the end of the screen, draw again.
    const up = this.#drawnLines > 0 ? `\u001b[${this.#drawnLines}F\u001b[J` : '';
    this.#out.write(`${up}${block.join('\n')}\n`);
    this.#drawnLines = block.length;
  }

  /** Prints the table as plain lines (not on a terminal: after each sweep, and at the end). */
  printTable(title: string): void {
    if (this.#out.isTTY) return;
    this.#out.write(`${[title, ...this.#table.map((row) => `  ${row}`)].join('\n')}\n`);
  }

  /** A closing line, below whatever was drawn. */
  footer(text: string): void {
    // On a terminal, Ctrl-C echoes `^C` where the cursor is.
    this.#out.write(`${this.#out.isTTY ? '\n' : ''}${text}\n`);
  }
}
