/**
 * The global limit on secret writes per second, kept without any shared state: at most
 * `workerConcurrency` workers run at once (the queue's event source and the function's reserved
 * concurrency both say so), and each spaces its own writes `workerConcurrency / writesPerSecond`
 * seconds apart, the first one too after its batch starts, so together they never send more than
 * `writesPerSecond`. Secrets Manager allows
 * 50 PutSecretValue-class requests per second per region, shared with every other application.
 */
import type { EpochMillis } from './connection';
import type { Clock } from './ports';

/** Hands out write slots; one per secret write attempt. */
export interface WritePacer {
  /** Resolves when the caller may send its next secret write. */
  acquire(): Promise<void>;
}

/** Workers that run at once for a limit of `writesPerSecond` (the event source's lower bound is 2). */
export function workerConcurrencyFor(writesPerSecond: number): number {
  // Two writes per second per worker: a refresh takes about a quarter of a second of calls, so a
  // worker running its batch's refreshes side by side fills its slots with time to spare, and a
  // worker stuck on a slow Zoho answer holds back only its own share.
  return Math.max(2, Math.ceil(writesPerSecond / 2));
}

/** How far apart one worker spaces its writes so `workerConcurrency` of them send `writesPerSecond`. */
export function writeIntervalMs(writesPerSecond: number, workerConcurrency: number): number {
  return Math.ceil((1000 * workerConcurrency) / writesPerSecond);
}

/**
 * A pacer that gives out one slot every `intervalMs`, in the order asked; concurrent callers queue
 * behind each other. The first slot is one interval after the pacer is made, as if its owner had
 * just written: make one per delivery batch (runRefreshOrders does), and a batch that takes the
 * place of another in the workers' concurrency (on this container or another) never writes within
 * an interval of the last write of the one before it, which ended before it started.
 */
export function createWritePacer(clock: Pick<Clock, 'now' | 'sleep'>, intervalMs: number): WritePacer {
  let nextSlot: EpochMillis = clock.now() + intervalMs;
  return {
    async acquire() {
      const now = clock.now();
      const slot = Math.max(now, nextSlot);
      nextSlot = slot + intervalMs;
      if (slot > now) await clock.sleep(slot - now);
    },
  };
}
