/**
 * Lambda, simulated: containers (warm ones reused, a cold one pays its init, billed since August
 * 2025), each invocation's duration on the virtual clock, its timeout, and crashes (a sandbox that
 * dies mid-invocation: its pending calls never return, as its code would never run on). Meters per
 * function: invocations, billed milliseconds, AWS calls, the concurrency peak.
 */
import { AwsMeter, type CallContext } from './aws-calls';
import type { SimEnvironment } from './sim-environment';
import { ContainerCredentialsCache } from './sim-secrets';

/** "At 1,769 MB, a function has the equivalent of one vCPU" (Lambda developer guide). */
export const MB_PER_VCPU = 1769;

export interface LambdaModel {
  readonly memoryMb: number;
  readonly timeoutMs: number;
  /** A cold start's init (imports, clients) at this memory. */
  readonly initMs: number;
  /** A container idle this long is reclaimed. */
  readonly idleMs: number;
  /** The runtime's own time per invocation (runtime API, middy, EMF flush). */
  readonly invokeOverheadMs: number;
  /** Share of invocations whose sandbox dies part-way (OOM, host failure). */
  readonly crashRate: number;
  /** A crash strikes uniformly within this much of the invocation's start. */
  readonly crashWithinMs: number;
}

/**
 * One execution environment: what survives between invocations (module scope: the clients, the
 * credentials cache, a write limiter). It is also the call context of the ports built in it, which
 * follow the invocation it runs now; a stopped invocation's sandbox is never reused, so its own
 * abandoned code keeps seeing itself stopped.
 */
export class Container implements CallContext {
  readonly credentials = new ContainerCredentialsCache();
  /** What the handler keeps at module scope, by name. */
  readonly local = new Map<string, unknown>();
  idleSince = 0;
  #invocation: Invocation;

  constructor(invocation: Invocation) {
    this.#invocation = invocation;
  }

  run(invocation: Invocation): void {
    this.#invocation = invocation;
  }

  get meter(): AwsMeter {
    return this.#invocation.meter;
  }
  get vcpu(): number {
    return this.#invocation.vcpu;
  }
  get alive(): boolean {
    return this.#invocation.alive;
  }
  get onConnectionCall(): ((connectionId: string) => void) | undefined {
    return this.#invocation.onConnectionCall;
  }
}

/** One invocation: the call context of its ports. */
export class Invocation implements CallContext {
  alive = true;
  constructor(
    readonly meter: AwsMeter,
    readonly vcpu: number,
    readonly onConnectionCall?: (connectionId: string) => void,
  ) {}
}

export type InvocationOutcome<R> =
  | { readonly kind: 'ok'; readonly value: R }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'timeout' | 'crash' };

export class SimLambdaFunction {
  readonly meter = new AwsMeter();
  invocations = 0;
  coldStarts = 0;
  billedMs = 0;
  running = 0;
  peakConcurrency = 0;
  timeouts = 0;
  crashes = 0;
  errors = 0;
  /** Duration of every invocation, init excluded (the planner's p99). */
  readonly durations: number[] = [];
  readonly #idle: Container[] = [];
  readonly #watchdog: Watchdog;
  readonly vcpu: number;

  constructor(
    readonly name: string,
    private readonly env: SimEnvironment,
    readonly model: LambdaModel,
    private readonly onConnectionCall?: (connectionId: string) => void,
    private readonly keepDurations = false,
  ) {
    this.vcpu = model.memoryMb / MB_PER_VCPU;
    this.#watchdog = new Watchdog(env);
  }

  /** GB-seconds billed so far. */
  get gbSeconds(): number {
    return (this.billedMs / 1000) * (this.model.memoryMb / 1024);
  }

  /**
   * Runs `handler` in a container as one invocation and settles when it ends: returned, threw, ran
   * into the timeout, or crashed. A stopped invocation's own code never resumes.
   */
  invoke<R>(
    handler: (invocation: Invocation, container: Container) => Promise<R>,
  ): Promise<InvocationOutcome<R>> {
    const { time, random } = this.env;
    this.invocations++;
    this.running++;
    if (this.running > this.peakConcurrency) this.peakConcurrency = this.running;
    const invocation = new Invocation(this.meter, this.vcpu, this.onConnectionCall);
    const container = this.#container(invocation);
    return new Promise((resolve) => {
      let started = time.now();
      let ended = false;
      let deadline: Deadline | undefined;
      const end = (outcome: InvocationOutcome<R>) => {
        if (ended) return;
        ended = true;
        if (deadline) deadline.done = true;
        invocation.alive = false;
        const durationMs = time.now() - started;
        this.billedMs += Math.ceil(durationMs + this.model.invokeOverheadMs);
        if (this.keepDurations) this.durations.push(durationMs);
        this.running--;
        // A sandbox that timed out or crashed is gone; one whose handler threw is reused.
        if (outcome.kind === 'ok' || outcome.kind === 'error') {
          container.idleSince = time.now();
          this.#idle.push(container);
        }
        resolve(outcome);
      };
      const run = () => {
        started = time.now();
        deadline = this.#watchdog.watch(started + this.model.timeoutMs, () => {
          this.timeouts++;
          end({ kind: 'timeout' });
        });
        if (random.chance(this.model.crashRate)) {
          time.after(random.uniform(0, this.model.crashWithinMs), () => {
            if (!ended) this.crashes++;
            end({ kind: 'crash' });
          });
        }
        handler(invocation, container).then(
          (value) => end({ kind: 'ok', value }),
          (error: unknown) => {
            if (!ended) this.errors++;
            end({ kind: 'error', error });
          },
        );
      };
      if (container.idleSince >= 0) {
        run();
        return;
      }
      // A cold start: the init runs (and is billed) before the handler.
      this.coldStarts++;
      container.idleSince = 0;
      this.billedMs += this.model.initMs;
      time.after(this.model.initMs, run);
    });
  }

  /** The most recently used warm container, or a new (cold) one; reclaims those idle too long. */
  #container(invocation: Invocation): Container {
    const now = this.env.time.now();
    for (;;) {
      const container = this.#idle.pop();
      if (container === undefined) break;
      if (now - container.idleSince <= this.model.idleMs) {
        container.run(invocation);
        return container;
      }
      // Older ones have idled even longer: all reclaimed.
      this.#idle.length = 0;
    }
    const fresh = new Container(invocation);
    fresh.idleSince = -1;
    return fresh;
  }
}

/** One running invocation's timeout. */
interface Deadline {
  readonly at: number;
  readonly expire: () => void;
  done: boolean;
}

/**
 * The timeouts of one function's running invocations, with one event on the clock at a time (at the
 * earliest deadline still running) instead of one per invocation: deadlines come in the order the
 * invocations started, as every invocation of a function has the same timeout.
 */
class Watchdog {
  #deadlines: Deadline[] = [];
  #head = 0;
  #armed = false;

  constructor(private readonly env: SimEnvironment) {}

  watch(at: number, expire: () => void): Deadline {
    const deadline: Deadline = { at, expire, done: false };
    this.#deadlines.push(deadline);
    if (!this.#armed) this.#arm();
    return deadline;
  }

  #arm(): void {
    while (this.#head < this.#deadlines.length && this.#deadlines[this.#head]?.done) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#deadlines.length) {
      this.#deadlines = this.#deadlines.slice(this.#head);
      this.#head = 0;
    }
    const next = this.#deadlines[this.#head];
    this.#armed = next !== undefined;
    if (next) this.env.time.at(next.at, () => this.#check());
  }

  #check(): void {
    const now = this.env.time.now();
    for (;;) {
      const deadline = this.#deadlines[this.#head];
      if (deadline === undefined || (!deadline.done && deadline.at > now)) break;
      this.#head++;
      if (!deadline.done) deadline.expire();
    }
    this.#arm();
  }
}
