/**
 * The sandbox's clockwork: repeating tasks that never overlap themselves, sleeps that a stop cuts
 * short, and a stop that clears every timer and waits for the work in flight. Nothing the sandbox
 * schedules may outlive `stop()`: the process must be able to exit right after it.
 */

/** Thrown into a sleep that a stop cut short. */
export class SandboxStoppedError extends Error {
  constructor() {
    super('the sandbox is stopping');
    this.name = 'SandboxStoppedError';
  }
}

export class Runner {
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #sleepers = new Set<() => void>();
  #stopped = false;

  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Runs `task` every `intervalMs` (and at once unless `startNow` is false). A run still going when
   * the next is due makes that one skip: a slow emulator must not pile up sweeps. Errors go to
   * `onError`, never out.
   */
  every(
    intervalMs: number,
    task: () => Promise<void>,
    onError: (error: unknown) => void,
    startNow = true,
  ): void {
    let running = false;
    const tick = () => {
      if (running || this.#stopped) return;
      running = true;
      this.track(task().catch((error) => (this.#stopped ? undefined : onError(error)))).finally(() => {
        running = false;
      });
    };
    const timer = setInterval(tick, intervalMs);
    this.#timers.add(timer);
    if (startNow) tick();
  }

  /** Runs `task` once after `delayMs`. */
  after(delayMs: number, task: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#stopped) task();
    }, delayMs);
    this.#timers.add(timer);
  }

  /** Counts `work` as in flight until it settles, so `stop()` can wait for it. */
  track(work: Promise<void>): Promise<void> {
    const settled = work.catch(() => undefined);
    this.#inFlight.add(settled);
    settled.finally(() => this.#inFlight.delete(settled));
    return settled;
  }

  /** A sleep that rejects with SandboxStoppedError as soon as the sandbox stops. */
  sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (this.#stopped) {
        reject(new SandboxStoppedError());
        return;
      }
      const wake = () => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        if (this.#stopped) reject(new SandboxStoppedError());
        else resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
    });

  /** Clears every timer, wakes every sleeper and waits up to `graceMs` for the work in flight. */
  async stop(graceMs: number): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const wake of [...this.#sleepers]) wake();
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.#inFlight),
      new Promise<void>((resolve) => {
        grace = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(grace);
  }
}
