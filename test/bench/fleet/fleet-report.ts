/**
 * The numbers of one simulated fleet, and the one-line form of them:
 * `fleet: connections=N expired_seconds=E refreshes_per_connection_hour=R
 * peak_secret_writes_per_second=W aws_calls_per_refresh=A planner_ms_p99=P
 * worker_concurrency_peak=C cost_per_connection_month_usd=D`.
 */
import { type CostLine, fleetCost } from './fleet-cost';
import type { FleetWorld } from './fleet-world';

export interface FleetResult {
  readonly connections: number;
  readonly hours: number;
  /** Seconds the secrets of connections with a good refresh token held an expired token, summed. */
  readonly expiredSeconds: number;
  /** Good connections whose secret ever held an expired token. */
  readonly connectionsExpired: number;
  /** Least time a good connection's token had left when its next version was written. */
  readonly minSecondsLeftAtRefresh: number;
  /** Expiries of good connections by the simulated hour they began in (`h36` → count). */
  readonly expiriesByHour: Readonly<Record<string, number>>;
  /** Of the connections outside the goal (revoked refresh token, poison item): expired seconds. */
  readonly excludedExpiredSeconds: number;
  readonly refreshes: number;
  readonly refreshesPerConnectionHour: number;
  /** PutSecretValue requests (SDK retries included) in the busiest second. */
  readonly peakSecretWritesPerSecond: number;
  /** The stack's `secretWritesPerSecond` (the bound of the peak) and its refresh workers' concurrency. */
  readonly secretWritesLimit: number;
  readonly workerConcurrencySetting: number;
  readonly secretWriteThrottles: number;
  /** The busiest second's attempts: from how many sandboxes, and how many were the SDK's retries. */
  readonly peakSecond: { readonly attempts: number; readonly senders: number; readonly sdkRetries: number };
  /** Worker AWS calls per committed refresh: the median (the normal path), the mean, the p99. */
  readonly awsCallsPerRefresh: { readonly median: number; readonly mean: number; readonly p99: number };
  readonly awsCallsByApi: Readonly<Record<string, number>>;
  readonly plannerMsP99: number;
  readonly plannerMsMax: number;
  readonly plannerCallsPerRun: number;
  /** The longest hold of an order that could wait, and the planner runs that held any back. */
  readonly plannerMaxHoldS: number;
  readonly plannerHoldingRuns: number;
  readonly workerConcurrencyPeak: number;
  readonly cost: { readonly lines: readonly CostLine[]; readonly perConnectionMonth: number };
  readonly zoho: Readonly<Record<string, number>>;
  readonly queue: Readonly<Record<string, number>>;
  readonly lambda: Readonly<Record<string, number>>;
  readonly loop: { readonly events: number; readonly instants: number; readonly wallMs: number };
  /** The worker function's DynamoDB capacity units. */
  readonly worker: { readonly writeUnits: number; readonly readUnits: number };
  /** The mean size of a connection item at the end, in bytes (1 write unit per started KB). */
  readonly meanItemBytes: number;
  /** The largest error of the item-size estimate behind the capacity units, in bytes. */
  readonly itemSizeErrorBytes: number;
}

export function fleetResult(
  world: FleetWorld,
  loop: { events: number; instants: number },
  wallMs: number,
): FleetResult {
  const { scenario, secrets, worker, planner, queue, mapping, zoho } = world;
  let expiredMs = 0;
  let excludedMs = 0;
  let expiredConnections = 0;
  let minLeftMs = Number.POSITIVE_INFINITY;
  for (let index = 0; index < scenario.connections; index++) {
    const expired = secrets.expiredMs[index] ?? 0;
    if (world.good[index] === 1) {
      expiredMs += expired;
      if (expired > 0) expiredConnections++;
      minLeftMs = Math.min(minLeftMs, secrets.minLeftMs[index] ?? Number.POSITIVE_INFINITY);
    } else excludedMs += expired;
  }
  const calls = histogramStats(world.callsHistogram);
  const durations = [...planner.durations].sort((a, b) => a - b);
  const plannerCalls = planner.meter.totalCalls;
  return {
    connections: scenario.connections,
    hours: scenario.hours,
    expiredSeconds: Math.round(expiredMs / 1000),
    connectionsExpired: expiredConnections,
    minSecondsLeftAtRefresh: Math.round(minLeftMs / 1000),
    expiriesByHour: expiriesByHour(world),
    excludedExpiredSeconds: Math.round(excludedMs / 1000),
    refreshes: world.commits,
    refreshesPerConnectionHour: world.commits / (scenario.connections * scenario.hours),
    peakSecretWritesPerSecond: secrets.peakAttemptsPerSecond,
    secretWritesLimit: world.product.config.secretWritesPerSecond,
    workerConcurrencySetting: world.product.config.refreshWorkerConcurrency,
    secretWriteThrottles: secrets.throttledAttempts,
    peakSecond: secrets.peakSecond,
    awsCallsPerRefresh: { ...calls, mean: worker.meter.totalCalls / Math.max(1, world.commits) },
    awsCallsByApi: Object.fromEntries(
      Object.entries(worker.meter.calls)
        .filter(([, count]) => count > 0)
        .map(([api, count]) => [api, round(count / Math.max(1, world.commits), 3)]),
    ),
    plannerMsP99: Math.round(quantile(durations, 0.99)),
    plannerMsMax: Math.round(durations.at(-1) ?? 0),
    plannerCallsPerRun: round(plannerCalls / Math.max(1, planner.invocations), 1),
    plannerMaxHoldS: round(world.maxHoldMs / 1000, 1),
    plannerHoldingRuns: world.holdingRuns,
    workerConcurrencyPeak: worker.peakConcurrency,
    cost: fleetCost(world),
    zoho: {
      calls: zoho.calls,
      grants: zoho.grants,
      faults: zoho.faults,
      timeouts: zoho.timeouts,
      outageFailures: zoho.outageFailures,
      throttled: zoho.throttled,
      revokedRejections: zoho.rejectedRevoked,
    },
    queue: {
      sent: queue.sent,
      delivered: mapping.messagesDelivered,
      batches: mapping.batches,
      duplicatesDelivered: queue.duplicatesDelivered,
      redeliveries: queue.redeliveries,
      itemFailures: mapping.itemFailures,
      deadLetters: queue.deadLetters,
      maxBacklogWaitS: round(world.maxBacklogWaitMs / 1000, 1),
    },
    lambda: {
      workerInvocations: worker.invocations,
      workerColdStarts: worker.coldStarts,
      workerTimeouts: worker.timeouts,
      workerCrashes: worker.crashes,
      workerErrors: worker.errors,
      plannerRuns: planner.invocations,
      plannerErrors: world.plannerErrors,
      plannerTimeouts: planner.timeouts,
    },
    loop: { ...loop, wallMs },
    worker: { writeUnits: worker.meter.writeUnits, readUnits: worker.meter.readUnits },
    itemSizeErrorBytes: world.table.sizeEstimateMaxError,
    meanItemBytes: Math.round(world.table.meanItemBytes()),
  };
}

/** The line for one fleet size. */
export function fleetLine(result: FleetResult): string {
  return [
    'fleet:',
    `connections=${result.connections}`,
    `expired_seconds=${result.expiredSeconds}`,
    `refreshes_per_connection_hour=${result.refreshesPerConnectionHour.toFixed(3)}`,
    `peak_secret_writes_per_second=${result.peakSecretWritesPerSecond}`,
    `aws_calls_per_refresh=${result.awsCallsPerRefresh.median}`,
    `planner_ms_p99=${result.plannerMsP99}`,
    `worker_concurrency_peak=${result.workerConcurrencyPeak}`,
    `cost_per_connection_month_usd=${result.cost.perConnectionMonth.toFixed(4)}`,
  ].join(' ');
}

function histogramStats(histogram: readonly number[]): { median: number; p99: number } {
  const total = histogram.reduce((sum, count) => sum + count, 0);
  const at = (q: number) => {
    let seen = 0;
    for (const [calls, count] of histogram.entries()) {
      seen += count;
      if (seen >= q * total) return calls;
    }
    return histogram.length - 1;
  };
  return { median: at(0.5), p99: at(0.99) };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The expiries of good connections, counted by the simulated hour they began in. */
function expiriesByHour(world: FleetWorld): Record<string, number> {
  const byHour: Record<string, number> = {};
  for (const { index, from } of world.secrets.expiries) {
    if (world.good[index] !== 1) continue;
    const hour = `h${Math.floor((from - world.scenario.start) / 3_600_000)}`;
    byHour[hour] = (byHour[hour] ?? 0) + 1;
  }
  return byHour;
}
