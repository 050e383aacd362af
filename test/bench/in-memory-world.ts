/**
 * The in-memory world of the use-case benchmarks: the fakes of the unit tests, with a silent log and
 * counting metrics instead of the recorders, so that the numbers are the use case's and not the
 * cost of keeping every log line. The fakes yield one macrotask per port call, as real I/O would.
 */

import { quietLog } from '../../cli/quiet-log';
import { CountingMetrics } from '../../dev/emulator/in-process';
import type { Connection } from '../../functions/core/connection';
import type { RefreshDependencies } from '../../functions/core/refresh-deps';
import { addConnection, createFakeWorld, type FakeWorld } from '../support/fakes';

export interface BenchWorld {
  readonly world: FakeWorld;
  /** What the use case runs with: the fakes, a silent log, counting metrics. */
  readonly deps: RefreshDependencies;
  readonly metrics: CountingMetrics;
  readonly ids: readonly string[];
}

/** A fresh world with `count` active connections `<prefix>-<i>`, all due now. */
export async function createBenchWorld(
  count: number,
  prefix: string,
  overrides: Partial<Connection> = {},
): Promise<BenchWorld> {
  const world = createFakeWorld();
  const metrics = new CountingMetrics();
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  for (const connectionId of ids) await addConnection(world, { ...overrides, connectionId });
  return { world, deps: { ...world, log: quietLog, metrics }, metrics, ids };
}
