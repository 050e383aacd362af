/**
 * Fault injection around the core's ports, without touching the in-memory fakes: each port is
 * wrapped in a Proxy whose every async method first asks the plan whether to fail, then reports
 * the call to an observer (the ledger), then runs, then asks whether the process dies right after.
 */

/** The ports a fault can be injected into. */
export type PortName = 'store' | 'vault' | 'cipher' | 'events' | 'zoho' | 'credentials';

/**
 * The process died. Every later call of the same process fails with this too, so nothing a dead
 * container would not have done reaches a port: the run's promise rejects, as Lambda's would.
 */
export class ProcessCrash extends Error {
  constructor(where: string) {
    super(`simulated crash ${where}`);
    this.name = 'ProcessCrash';
  }
}

interface Rule {
  readonly port: PortName;
  readonly method: string;
  /** Calls of this method to let through before the rule fires. */
  skip: number;
  /** Calls the rule still fires on. */
  times: number;
  /** `before`: runs before the call (and may throw instead of it). `after`: once the call took effect. */
  readonly when: 'before' | 'after';
  readonly effect: (call: PortCall) => void | Promise<void>;
}

/** What a call looked like, for observers (the ledger). */
export interface PortCall {
  readonly port: PortName;
  readonly method: string;
  readonly args: readonly unknown[];
}

export interface PortObserver {
  /** The call is about to run (after any injected failure). */
  calling?(call: PortCall): void;
  /** The call returned `result`. */
  returned?(call: PortCall, result: unknown): void;
}

export interface RuleOptions {
  /** Let this many calls through first. @default 0 */
  readonly skip?: number;
  /** Fire on this many calls. @default 1 */
  readonly times?: number;
}

/** The faults armed for the next calls, and whether the process already died. */
export class FaultPlan {
  private rules: Rule[] = [];
  /** The rules that fail or crash (the others only run an action). */
  private readonly fails = new WeakSet<Rule>();
  private crashed = false;

  /** Makes calls of `port.method` fail with `error(call)` before they take any effect. */
  fail(port: PortName, method: string, error: (call: PortCall) => Error, options: RuleOptions = {}): this {
    return this.add(
      port,
      method,
      'before',
      options,
      (call) => {
        throw injected(error(call));
      },
      true,
    );
  }

  /** Lets a call of `port.method` take effect, then kills the process before anyone sees its answer. */
  crashAfter(port: PortName, method: string, options: { skip?: number } = {}): this {
    return this.add(
      port,
      method,
      'after',
      { ...options, times: 1 },
      () => {
        this.crashed = true;
        throw injected(new ProcessCrash(`after ${port}.${method}`));
      },
      true,
    );
  }

  /**
   * Runs `action` just before a call of `port.method`: a slow call (the clock moves on), or another
   * caller that gets in first (a race won at exactly that point).
   */
  before(
    port: PortName,
    method: string,
    action: () => void | Promise<void>,
    options: RuleOptions = {},
  ): this {
    return this.add(port, method, 'before', options, action);
  }

  /** Whether a failure or a crash is still armed for `port` (any port when not given). */
  armed(port?: PortName): boolean {
    return this.rules.some(
      (rule) => rule.times > 0 && (port === undefined || rule.port === port) && this.fails.has(rule),
    );
  }

  /** A new process (the next invocation): faults still armed stay armed. */
  restart(): void {
    this.crashed = false;
  }

  /** No faults any more, and a live process. */
  clear(): void {
    this.rules = [];
    this.crashed = false;
  }

  /** Runs one port call under the plan. */
  async around<T>(call: PortCall, observer: PortObserver, run: () => Promise<T>): Promise<T> {
    if (this.crashed) throw injected(new ProcessCrash(`earlier (${call.port}.${call.method} never ran)`));
    await this.take(call, 'before')?.effect(call);
    observer.calling?.(call);
    const result = await run();
    observer.returned?.(call, result);
    await this.take(call, 'after')?.effect(call);
    return result;
  }

  private add(
    port: PortName,
    method: string,
    when: Rule['when'],
    options: RuleOptions,
    effect: Rule['effect'],
    fails = false,
  ): this {
    const rule: Rule = { port, method, when, skip: options.skip ?? 0, times: options.times ?? 1, effect };
    this.rules.push(rule);
    if (fails) this.fails.add(rule);
    return this;
  }

  private take(call: PortCall, when: Rule['when']): Rule | undefined {
    const rule = this.rules.find(
      (r) => r.when === when && r.port === call.port && r.method === call.method && r.times > 0,
    );
    if (!rule) return undefined;
    if (rule.skip > 0) {
      rule.skip -= 1;
      return undefined;
    }
    rule.times -= 1;
    return rule;
  }
}

const injectedErrors = new WeakSet<object>();

function injected(error: Error): Error {
  injectedErrors.add(error);
  return error;
}

/** True for an error a FaultPlan threw (and not one the code under test made up). */
export const isInjected = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && injectedErrors.has(error);

/**
 * Wraps every method of `target` (all of them async: the ports') so it runs under `plan` and is seen
 * by `observer`. Fields (the fakes' counters and items) read through unchanged.
 */
export function instrument<T extends object>(
  port: PortName,
  target: T,
  plan: FaultPlan,
  observer: PortObserver,
): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) =>
        plan.around({ port, method: property, args }, observer, () =>
          Promise.resolve(value.apply(object, args)),
        );
    },
  });
}

/** An AWS SDK error as the SDK throws it: classified by its name, which is all the adapters read. */
export function awsError(name: string, message = name): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
