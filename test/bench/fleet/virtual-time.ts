/**
 * The simulation's clock and event loop. Every latency is a wait on this clock: `delay(ms)` returns
 * a promise that the loop resolves when virtual time reaches now + ms, and the code under test (the
 * real core) sees only `now()` and `sleep()`, as from any Clock. Nothing waits in real time.
 *
 * The loop fires every event of one instant, then lets the microtask queue drain completely before
 * time moves on, so that every promise continuation those events released runs to its next wait:
 * each actor sees exactly the instant its event fired at, however many awaits its code makes. The
 * next instant is a `process.nextTick` queued from a microtask: Node runs ticks queued during the
 * microtask drain only once the drain is complete, which costs a fraction of a macrotask turn;
 * every YIELD_EVERY instants the loop yields a whole turn (`setImmediate`) so I/O is not starved.
 */
import type { EpochMillis } from '../../../functions/core/connection';
import type { Clock } from '../../../functions/core/ports';
import { EventHeap } from './event-heap';

/** Instants between two full event-loop turns. */
const YIELD_EVERY = 4096;

/** What one run of the loop did. */
export interface LoopStats {
  /** Events fired (latencies ended, sleeps woken, scheduled callbacks run). */
  readonly events: number;
  /** Distinct instants processed, one macrotask turn each. */
  readonly instants: number;
}

export class VirtualTime implements Clock {
  readonly #agenda = new EventHeap<() => void>();
  #now: EpochMillis;
  #events = 0;
  #instants = 0;
  #failure: unknown;

  constructor(start: EpochMillis) {
    this.#now = start;
  }

  /** Whole milliseconds, as Date.now() gives them (latencies keep their fractions internally). */
  readonly now = (): EpochMillis => Math.floor(this.#now);

  /** Clock port: the core's retry pauses are waits on virtual time too. */
  readonly sleep = (ms: number): Promise<void> => this.delay(ms);

  /** Resolves when virtual time has advanced by `ms` (at least 0). */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => this.#agenda.push(this.#now + Math.max(0, ms), resolve));
  }

  /** Runs `callback` at virtual time `time` (now, if that has passed). */
  at(time: EpochMillis, callback: () => void): void {
    this.#agenda.push(Math.max(time, this.#now), callback);
  }

  /** Runs `callback` `ms` from now. */
  after(ms: number, callback: () => void): void {
    this.#agenda.push(this.#now + Math.max(0, ms), callback);
  }

  /**
   * Makes the running loop stop with `error` at its next turn: for faults of the simulation itself
   * (an actor that threw where nothing should), which must not pass as a slow run.
   */
  fail(error: unknown): void {
    this.#failure ??= error;
  }

  /**
   * Processes events until virtual time would pass `until`, then leaves the clock at `until`.
   * `onInstant` runs after each instant's events with the new time (progress lines, sampling).
   */
  run(until: EpochMillis, onInstant?: (now: EpochMillis) => void): Promise<LoopStats> {
    const started = { events: this.#events, instants: this.#instants };
    return new Promise((resolve, reject) => {
      const step = () => {
        if (this.#failure !== undefined) {
          reject(this.#failure);
          return;
        }
        const time = this.#agenda.peekTime();
        if (time > until) {
          this.#now = until;
          resolve({ events: this.#events - started.events, instants: this.#instants - started.instants });
          return;
        }
        this.#now = time;
        try {
          do {
            this.#agenda.pop()?.();
            this.#events++;
          } while (this.#agenda.peekTime() === time);
        } catch (error) {
          reject(error);
          return;
        }
        this.#instants++;
        onInstant?.(time);
        if (this.#instants % YIELD_EVERY === 0) setImmediate(step);
        else queueMicrotask(nextTick);
      };
      const nextTick = () => process.nextTick(step);
      setImmediate(step);
    });
  }
}
