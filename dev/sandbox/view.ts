/**
 * What the sandbox shows: a status table of the connections, how many Books calls each demo
 * consumer got answered, and the latest events. On a terminal the whole block is redrawn in place
 * every second; elsewhere (a pipe, a log file, CI) each event is one appended line, and the table is
 * printed after each sweep and at the end.
 *
 * A Books call answered 200 at the first try is counted, not logged line by line (two every 3 s
 * would push the refreshes and the 401s out of sight within seconds); one answered 200 after a
 * refresh is an event of its own.
 */

import { duration, relative } from '../../cli/format';
import type { Connection } from '../../functions/core/connection';
import { describeEvent, type SandboxEvent, type TimedEvent } from './events';
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

/** Books calls answered 200, per connection, and the version of the last. */
export type ServedCounts = ReadonlyMap<string, { readonly calls: number; readonly version: number }>;

/** `demo-us  12 Books calls answered 200, the last with v3`, one line per connection. */
export function renderServed(served: ServedCounts): string[] {
  const width = Math.max(0, ...[...served.keys()].map((id) => id.length));
  return [...served].map(
    ([id, { calls, version }]) =>
      `${id.padEnd(width)}  ${calls} Books call${calls === 1 ? '' : 's'} answered 200, the last with v${version}`,
  );
}

/** A call answered at the first try: counted, not logged. */
const isRoutine = (event: SandboxEvent) => event.kind === 'consumer-ok' && !event.afterRejection;

/** Draws the sandbox on a terminal (in place) or as appended lines. */
export class SandboxView {
  readonly #out: SandboxOutput;
  readonly #recent: string[] = [];
  readonly #served = new Map<string, { calls: number; version: number }>();
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
    if (event.kind === 'consumer-ok') {
      const served = this.#served.get(event.connectionId) ?? { calls: 0, version: 0 };
      this.#served.set(event.connectionId, { calls: served.calls + 1, version: event.version });
    }
    if (isRoutine(event)) return;
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
    const served = renderServed(this.#served);
    const block = [
      '',
      ...this.#table,
      ...(served.length === 0 ? [] : ['', 'Demo consumer:', ...served.map((line) => `  ${line}`)]),
      '',
      'Recent events:',
      ...this.#recent,
    ];
    // Up to the block's first line, clear to the end of the screen, draw again.
    const up = this.#drawnLines > 0 ? `\u001b[${this.#drawnLines}F\u001b[J` : '';
    this.#out.write(`${up}${block.join('\n')}\n`);
    this.#drawnLines = block.length;
  }

  /** Prints the table as plain lines (not on a terminal: after each sweep, and at the end). */
  printTable(title: string): void {
    if (this.#out.isTTY) return;
    const served = renderServed(this.#served).map((line) => `  ${line}`);
    const lines = [title, ...this.#table.map((row) => `  ${row}`)];
    if (served.length > 0) lines.push('Demo consumer:', ...served);
    this.#out.write(`${lines.join('\n')}\n`);
  }

  /** A closing line, below whatever was drawn. */
  footer(text: string): void {
    // On a terminal, Ctrl-C echoes `^C` where the cursor is.
    this.#out.write(`${this.#out.isTTY ? '\n' : ''}${text}\n`);
  }
}
