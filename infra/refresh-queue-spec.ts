/**
 * The refresh queue's settings as plain data (no CDK import): infra/refresh-fleet.ts builds the
 * stack's queues from them, and the emulator's follow (the workshop's `init` reads them from the
 * synthesized template), so the two cannot disagree on a redrive limit or a visibility timeout.
 */
import { REFRESH_WORKER_BATCH_SIZE } from '../functions/aws/settings';
import { writeIntervalMs } from '../functions/core/write-pacer';

/**
 * One refresh's worst case with the deployed 8 s Zoho timeout (functions/aws/refresher.ts
 * `refreshWorstCaseMs`: three Zoho attempts of 8 s, three secret-write attempts of 5 s, their backoff
 * and the AWS calls around them ≈ 46.5 s), rounded up.
 */
export const REFRESH_WORST_CASE_SECONDS = 47;

/** Deliveries of an order before the queue dead-letters it: a transient AWS fault gets past in two. */
export const REFRESH_MAX_RECEIVES = 5;

/** An order matters for minutes; one a day old is long superseded by the planner's catch-up. */
export const REFRESH_QUEUE_RETENTION_SECONDS = 24 * 60 * 60;

/** Orders that failed for good wait for an operator up to SQS's longest retention. */
export const REFRESH_DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 60 * 60;

/** What the worker's timeout depends on. */
export interface WorkerPacing {
  readonly secretWritesPerSecond: number;
  readonly refreshWorkerConcurrency: number;
}

/**
 * The worker's timeout: a batch's refreshes run side by side, so the batch takes one refresh's worst
 * case plus the pacer's spacing of its writes (ten writes `writeIntervalMs` apart), plus headroom for
 * the decoding and the answer. 60 s at the default 20 writes per second, 75 s at 1.
 */
export function refreshWorkerTimeoutSeconds(settings: WorkerPacing): number {
  const pacingMs =
    REFRESH_WORKER_BATCH_SIZE *
    writeIntervalMs(settings.secretWritesPerSecond, settings.refreshWorkerConcurrency);
  return REFRESH_WORST_CASE_SECONDS + Math.ceil(pacingMs / 1000) + 8;
}

/**
 * Six times the worker's timeout (Lambda's advice for event sources): a batch the event source has to
 * retry is not delivered twice meanwhile. A batch whose worker died comes back after it: 6 minutes
 * at the defaults, inside the 11-minute margin.
 */
export function refreshQueueVisibilityTimeoutSeconds(settings: WorkerPacing): number {
  return refreshWorkerTimeoutSeconds(settings) * 6;
}
