/**
 * What every benchmark shares: the shape of a result row, and timing with warm-up and medians.
 * Benchmarks PRINT numbers; the only thing that fails a run is a correctness check (an exact count).
 */

/** One exact count a benchmark relies on; a mismatch fails `npm run bench`. */
export interface BenchCheck {
  readonly what: string;
  readonly expected: number;
  readonly actual: number;
}

/** One line of the table. */
export interface BenchRow {
  readonly name: string;
  /** Operations in one timed run. */
  readonly iterations: number;
  /** Timed runs the numbers are the median of. */
  readonly runs: number;
  /** Median total of one run. */
  readonly totalMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Informative counts (AWS calls per command, outcomes, …), printed next to the checks. */
  readonly counts: Readonly<Record<string, number>>;
  readonly checks: readonly BenchCheck[];
  readonly note?: string;
  /** Why the benchmark did not run (no emulator, no Python); a skipped row fails nothing. */
  readonly skipped?: string;
}

export interface BenchContext {
  /** False with `--no-emulator`: benchmarks that need moto skip themselves. */
  readonly emulator: boolean;
  /** Progress lines, on stderr so that `--json` output stays clean. */
  progress(line: string): void;
  /** A result line for the reader (stdout; stderr with `--json`, which keeps stdout for the report). */
  output(line: string): void;
}

/** A benchmark, selectable by name with `--only`. */
export interface Bench {
  readonly name: string;
  readonly description: string;
  run(context: BenchContext): Promise<BenchRow[]>;
}

export interface Measurement {
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface MeasureOptions<S> {
  /** Timed runs; the median is reported. */
  readonly runs: number;
  /** Untimed runs first, so that JIT, caches and sockets are warm when the clock starts. @default 1 */
  readonly warmupRuns?: number;
  /** Untimed preparation of one run (e.g. a fresh world with its connections). */
  readonly setup: () => S | Promise<S>;
  /** The timed part. */
  readonly run: (state: S) => void | Promise<void>;
  /** Untimed, after each run (warm-up included): checks and counts of that run. */
  readonly after?: (state: S, elapsedMs: number) => void | Promise<void>;
}

/** Runs `run` after `setup`, `warmupRuns + runs` times, and reports the median of the timed runs. */
export async function measure<S>(options: MeasureOptions<S>): Promise<Measurement> {
  const times: number[] = [];
  const warmups = options.warmupRuns ?? 1;
  for (let i = 0; i < warmups + options.runs; i++) {
    const state = await options.setup();
    const started = process.hrtime.bigint();
    await options.run(state);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    await options.after?.(state, elapsedMs);
    if (i >= warmups) times.push(elapsedMs);
  }
  return summarise(times);
}

/** Median, min and max of the given run times. */
export function summarise(times: readonly number[]): Measurement {
  if (times.length === 0) throw new Error('no timed runs');
  const sorted = [...times].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { runs: sorted.length, medianMs: median, minMs: sorted[0] ?? 0, maxMs: sorted.at(-1) ?? 0 };
}

/** A table row from a measurement. */
export function row(
  name: string,
  iterations: number,
  measurement: Measurement,
  extra: { counts?: Record<string, number>; checks?: BenchCheck[]; note?: string } = {},
): BenchRow {
  return {
    name,
    iterations,
    runs: measurement.runs,
    totalMs: measurement.medianMs,
    minMs: measurement.minMs,
    maxMs: measurement.maxMs,
    counts: extra.counts ?? {},
    checks: extra.checks ?? [],
    ...(extra.note === undefined ? {} : { note: extra.note }),
  };
}

/** A row for a benchmark that could not run here. */
export function skippedRow(name: string, reason: string): BenchRow {
  return {
    name,
    iterations: 0,
    runs: 0,
    totalMs: 0,
    minMs: 0,
    maxMs: 0,
    counts: {},
    checks: [],
    skipped: reason,
  };
}

/** Collects exact-count checks; one expectation per named count. */
export class Checks {
  readonly list: BenchCheck[] = [];

  expect(what: string, actual: number, expected: number): void {
    this.list.push({ what, expected, actual });
  }

  /** Checks that every value in `actuals` equals `expected`; records the first mismatch, or one pass. */
  expectEach(what: string, actuals: readonly number[], expected: number): void {
    const wrong = actuals.find((actual) => actual !== expected);
    this.list.push({ what, expected, actual: wrong ?? expected });
  }
}

export const failedChecks = (row: BenchRow): BenchCheck[] =>
  row.checks.filter((check) => check.actual !== check.expected);
