/**
 * What the fleet simulation models, with the numbers behind each choice. One scenario per fleet
 * size; everything else is shared. Deployed settings (margin, jitter, Zoho timeout, worker
 * concurrency, batch size, timeouts) come from the product's own code, not from here.
 */
import type { EpochMillis } from '../../../functions/core/connection';
import type { AwsCallModel } from './aws-calls';
import type { MappingModel } from './event-source-mapping';
import type { LambdaModel } from './sim-lambda';
import type { QueueModel } from './sim-queue';
import type { ZohoModel, ZohoOutage } from './sim-zoho';

export interface FleetScenario {
  readonly connections: number;
  readonly hours: number;
  readonly seed: number;
  readonly start: EpochMillis;
  /** Share of connections per data centre (sums to 1). */
  readonly dcShares: Readonly<Record<string, number>>;
  /** The outage: which data centre, when (hours after the start) and for how long. */
  readonly outage: Omit<ZohoOutage, 'from' | 'until'> & { readonly atHour: number; readonly minutes: number };
  readonly zoho: Omit<ZohoModel, 'outage' | 'timeoutMs'>;
  readonly aws: AwsCallModel;
  readonly queue: Omit<QueueModel, 'visibilityTimeoutMs' | 'maxReceiveCount'>;
  readonly worker: Omit<LambdaModel, 'timeoutMs' | 'memoryMb'> &
    Pick<MappingModel, 'receiveLatencyMs' | 'idlePollers'>;
  readonly planner: Omit<LambdaModel, 'timeoutMs' | 'memoryMb'>;
  /** Share of connections whose refresh token the user revokes at a random time (they leave the goal). */
  readonly revokedShare: number;
  /** Connections whose item every conditional write refuses (a poison order; they leave the goal). */
  readonly poisonConnections: number;
}

const HOUR_MS = 3_600_000;

/** The scenario for `connections` connections. */
export function fleetScenario(connections: number, overrides: Partial<FleetScenario> = {}): FleetScenario {
  return {
    connections,
    hours: 72,
    seed: 20_261_206 + connections,
    start: Date.UTC(2026, 11, 1, 0, 0, 0),
    // Zoho's data centres by (assumed) weight of a Books integrator's customers.
    dcShares: { us: 0.45, eu: 0.25, in: 0.15, au: 0.08, jp: 0.04, ca: 0.03 },
    // One data centre's accounts server answers 503 for 10 minutes, mid-run.
    outage: { dc: 'eu', atHour: 36, minutes: 10, kind: 'unavailable' },
    zoho: {
      // Median 150 ms; sigma 0.5 puts p99 of the body near 480 ms; 0.5 % of calls in a Pareto tail
      // from 1 s (alpha 1.5: one in ~23 of those passes the 8 s client timeout).
      medianMs: 150,
      sigma: 0.5,
      tailShare: 0.005,
      tailScaleMs: 1_000,
      tailAlpha: 1.5,
      faultRate: 0.01,
      cpuMsPerCall: 3,
      tokenLifetimeSeconds: 3_600,
    },
    aws: {
      minLatencyMs: 10,
      maxLatencyMs: 40,
      faultRate: 0.01,
      sdkAttempts: 2,
      sdkBackoffMs: 50,
      // The deployed bundle's CPU per refresh, 13–17 ms at one vCPU (lambda-footprint), over ~6 calls.
      cpuMsPerCall: 2.5,
    },
    queue: { duplicateRate: 0.005, duplicateDelayMaxMs: 5_000 },
    worker: {
      initMs: 500,
      idleMs: 10 * 60_000,
      invokeOverheadMs: 2,
      crashRate: 0.001,
      crashWithinMs: 2_000,
      receiveLatencyMs: 20,
      idlePollers: 5,
    },
    planner: { initMs: 500, idleMs: 10 * 60_000, invokeOverheadMs: 2, crashRate: 0, crashWithinMs: 0 },
    revokedShare: 0.001,
    poisonConnections: 2,
    ...overrides,
  };
}

/** The outage window of a scenario, in epoch milliseconds. */
export function outageWindow(scenario: FleetScenario): ZohoOutage {
  const from = scenario.start + scenario.outage.atHour * HOUR_MS;
  return {
    dc: scenario.outage.dc,
    kind: scenario.outage.kind,
    from,
    until: from + scenario.outage.minutes * 60_000,
  };
}
