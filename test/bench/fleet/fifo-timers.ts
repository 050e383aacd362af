/**
 * Timers that all run the same delay (a function's timeout, a queue's visibility timeout): they come
 * due in the order they were set, so one event on the clock at a time suffices, at the earliest one
 * still live. Most such timers are moot by the time they come due (the invocation ended, the message
 * was deleted); they cost an array slot instead of an event each.
 */
import type { VirtualTime } from './virtual-time';

export class FifoTimers<T> {
  #ats: number[] = [];
  #items: Array<T | undefined> = [];
  #head = 0;
  #armed = false;

  constructor(
    private readonly time: VirtualTime,
    /** Runs for a timer that came due and is still live. */
    private readonly fire: (item: T) => void,
    /** Whether a timer no longer matters (checked when it comes due, and to skip ahead). */
    private readonly moot: (item: T) => boolean,
  ) {}

  /** Sets a timer for `item` at `at`, which must not be before any timer set earlier. */
  set(at: number, item: T): void {
    this.#ats.push(at);
    this.#items.push(item);
    if (!this.#armed) this.#arm();
  }

  #arm(): void {
    while (this.#head < this.#items.length && this.moot(this.#items[this.#head] as T)) {
      this.#items[this.#head++] = undefined;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#ats = this.#ats.slice(this.#head);
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    this.#armed = this.#head < this.#items.length;
    if (this.#armed) this.time.at(this.#ats[this.#head] ?? 0, () => this.#due());
  }

  #due(): void {
    const now = this.time.now();
    while (this.#head < this.#items.length && (this.#ats[this.#head] ?? 0) <= now) {
      const item = this.#items[this.#head] as T;
      this.#items[this.#head++] = undefined;
      if (!this.moot(item)) this.fire(item);
    }
    this.#arm();
  }
}
