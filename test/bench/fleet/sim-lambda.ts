/**
 * Lambda, simulated: containers (warm ones reused, a cold one pays its init, billed since August
 * 2025), each invocation's duration on the virtual clock, its timeout, and crashes (a sandbox that
 * dies mid-invocation: its pending calls never return, as its code would never run on). Meters per
 * function: invocations, billed milliseconds, AWS calls, the concurrency peak.
 */
import { AwsMeter, type CallContext } from './aws-calls';
import { FifoTimers } from './fifo-timers';
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

/** One invocation: the call context of its ports, and its own course (start, deadline, end). */
export class Invocation implements CallContext {
  alive = true;
  started = 0;
  /** Ended (returned, threw, timed out or crashed): its timeout is moot. */
  done = false;
  container: Container | undefined;

  constructor(
    readonly meter: AwsMeter,
    readonly vcpu: number,
    readonly onConnectionCall: ((connectionId: string) => void) | undefined,
    readonly end: (invocation: Invocation, outcome: InvocationOutcome<unknown>) => void,
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
  /** The timeouts of the running invocations (one timeout for all: they come due in order). */
  readonly #timeouts: FifoTimers<Invocation>;
  readonly vcpu: number;

  constructor(
    readonly name: string,
    private readonly env: SimEnvironment,
    readonly model: LambdaModel,
    private readonly onConnectionCall?: (connectionId: string) => void,
    private readonly keepDurations = false,
  ) {
    this.vcpu = model.memoryMb / MB_PER_VCPU;
    this.#timeouts = new FifoTimers(
      env.time,
      (invocation) => this.#timedOut(invocation),
      (invocation) => invocation.done,
    );
  }

  /** GB-seconds billed so far. */
  get gbSeconds(): number {
    return (this.billedMs / 1000) * (this.model.memoryMb / 1024);
  }

  /**
   * Runs `handler` in a container as one invocation; `onEnd` hears how it ended: returned, threw,
   * ran into the timeout, or crashed. A stopped invocation's own code never resumes. Callbacks, not
   * a promise per invocation: the simulation makes millions of them.
   */
  invoke<R>(
    handler: (invocation: Invocation, container: Container) => Promise<R>,
    onEnd: (outcome: InvocationOutcome<R>) => void,
  ): void {
    const { time } = this.env;
    this.invocations++;
    this.running++;
    if (this.running > this.peakConcurrency) this.peakConcurrency = this.running;
    const invocation = new Invocation(this.meter, this.vcpu, this.onConnectionCall, (ended, outcome) =>
      this.#end(ended, outcome as InvocationOutcome<R>, onEnd),
    );
    const container = this.#container(invocation);
    invocation.container = container;
    if (container.idleSince >= 0) {
      this.#start(invocation, handler);
      return;
    }
    // A cold start: the init runs (and is billed) before the handler.
    this.coldStarts++;
    container.idleSince = 0;
    this.billedMs += this.model.initMs;
    time.after(this.model.initMs, () => this.#start(invocation, handler));
  }

  #start<R>(invocation: Invocation, handler: (invocation: Invocation, container: Container) => Promise<R>) {
    const { time, random } = this.env;
    const container = invocation.container as Container;
    invocation.started = time.now();
    this.#timeouts.set(invocation.started + this.model.timeoutMs, invocation);
    if (random.chance(this.model.crashRate)) {
      time.after(random.uniform(0, this.model.crashWithinMs), () => {
        if (!invocation.done) this.crashes++;
        invocation.end(invocation, { kind: 'crash' });
      });
    }
    handler(invocation, container).then(
      (value) => invocation.end(invocation, { kind: 'ok', value }),
      (error: unknown) => {
        if (!invocation.done) this.errors++;
        invocation.end(invocation, { kind: 'error', error });
      },
    );
  }

  #timedOut(invocation: Invocation): void {
    this.timeouts++;
    invocation.end(invocation, { kind: 'timeout' });
  }

  #end<R>(
    invocation: Invocation,
    outcome: InvocationOutcome<R>,
    onEnd: (outcome: InvocationOutcome<R>) => void,
  ) {
    if (invocation.done) return;
    const now = this.env.time.now();
    invocation.done = true;
    invocation.alive = false;
    const durationMs = now - invocation.started;
    this.billedMs += Math.ceil(durationMs + this.model.invokeOverheadMs);
    if (this.keepDurations) this.durations.push(durationMs);
    this.running--;
    // A sandbox that timed out or crashed is gone; one whose handler threw is reused.
    const container = invocation.container;
    if (container && (outcome.kind === 'ok' || outcome.kind === 'error')) {
      container.idleSince = now;
      this.#idle.push(container);
    }
    onEnd(outcome);
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
