/**
 * The global limit on secret writes per second, kept without any shared state: at most
 * `workerConcurrency` workers run at once (the queue's event source and the function's reserved
 * concurrency both say so), and each spaces its own writes `workerConcurrency / writesPerSecond`
 * seconds apart, so together they never send more than `writesPerSecond`. Secrets Manager allows
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
 * behind each other. Keep one per container (module scope): slots then hold across the invocations
 * the container runs one after another. The first slot, too, is one interval after it is asked for,
 * as if the container had just written: a container that takes the place of another (scaled in,
 * crashed, timed out) may start while the one it replaces still spends its last slot, and the two
 * would otherwise write within the same instant, one more than the limit allows.
 */
export function createWritePacer(clock: Pick<Clock, 'now' | 'sleep'>, intervalMs: number): WritePacer {
  let nextSlot: EpochMillis | undefined;
  return {
    async acquire() {
      const now = clock.now();
      const slot = Math.max(now, nextSlot ?? now + intervalMs);
      nextSlot = slot + intervalMs;
      if (slot > now) await clock.sleep(slot - now);
    },
  };
}
