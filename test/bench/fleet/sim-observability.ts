/**
 * Metrics and log ports for the simulation: metrics are tallied by name and reason (no strings are
 * built per data point), the log drops everything. What the core emits is counted, never printed.
 */
import type { Log, MetricName, Metrics, MetricUnit } from '../../../functions/core/ports';

export const silentLog: Log = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** Errors no simulated fault throws: logged by the product, they mean a bug (of the simulation or not). */
const BUG_NAMES = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

/**
 * A log that prints nothing but stops the simulation (`fail`) when the product logs a programming
 * error (a TypeError…) where it reports a caught exception: a worker that turns every exception into
 * a batch item failure must not hide a broken simulation.
 */
export function watchfulLog(fail: (error: Error) => void): Log {
  const watch = (message: string, attributes?: Record<string, unknown>) => {
    const name = attributes?.errorName;
    if (typeof name === 'string' && BUG_NAMES.has(name))
      fail(new Error(`the product logged a ${name}: ${message}`));
  };
  return { debug: () => {}, info: () => {}, warn: watch, error: watch };
}

export class TallyMetrics implements Metrics {
  readonly #totals = new Map<MetricName, Map<string, number>>();

  add(name: MetricName, value: number, _unit: MetricUnit, reason = ''): void {
    let byReason = this.#totals.get(name);
    if (byReason === undefined) {
      byReason = new Map();
      this.#totals.set(name, byReason);
    }
    byReason.set(reason, (byReason.get(reason) ?? 0) + value);
  }

  /** The sum of `name` (of one `reason` when given). */
  total(name: MetricName, reason?: string): number {
    const byReason = this.#totals.get(name);
    if (byReason === undefined) return 0;
    if (reason !== undefined) return byReason.get(reason) ?? 0;
    let sum = 0;
    for (const value of byReason.values()) sum += value;
    return sum;
  }

  /** The reasons of `name` with their sums, largest first. */
  reasons(name: MetricName): Array<[string, number]> {
    return [...(this.#totals.get(name) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]);
  }
}
