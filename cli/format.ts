/** Human formatting of times and tables for the CLI's output. */
import type { Output, Style } from './io';

/** `45m`, `2h 5m`, `3d 4h`, `12s`. */
export function duration(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}

/** `in 45m`, or `5m ago` for a time in the past. */
export function relative(at: number, now: number): string {
  return at >= now ? `in ${duration(at - now)}` : `${duration(now - at)} ago`;
}

/** `2026-11-26 08:00:00Z`: ISO without milliseconds, readable in a table. */
export function timestamp(at: number): string {
  return new Date(at)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** Cuts `text` to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export interface TableRow {
  readonly cells: readonly string[];
  /** Styles of the whole row (colours only on a terminal). */
  readonly styles?: readonly Style[];
}

/** Prints an aligned table; widths are measured before colouring, so columns line up either way. */
export function printTable(out: Output, headers: readonly string[], rows: readonly TableRow[]): void {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row.cells[column] ?? '').length)),
  );
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  out.line(out.paint(render(headers), 'bold'));
  for (const row of rows) out.line(out.paint(render(row.cells), ...(row.styles ?? [])));
}
