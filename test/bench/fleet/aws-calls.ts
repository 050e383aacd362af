/**
 * What one AWS API call costs the simulation: its latency on the virtual clock (network + the
 * function's CPU to build and parse it), the SDK's own retry when an attempt faults, and a count on
 * the meter of the function that made it. Counts are of real API requests (billed attempts) and of
 * port calls (what the code under test asked for), per API.
 */
import type { SimRandom } from './random';
import type { VirtualTime } from './virtual-time';

/** Every AWS API the simulated functions call. */
export const AWS_APIS = [
  'dynamodb.GetItem',
  'dynamodb.PutItem',
  'dynamodb.UpdateItem',
  'dynamodb.Query',
  'dynamodb.TransactWriteItems',
  'secretsmanager.GetSecretValue',
  'secretsmanager.PutSecretValue',
  'kms.Decrypt',
  'kms.Encrypt',
  'events.PutEvents',
  'sqs.SendMessageBatch',
] as const;
export type AwsApi = (typeof AWS_APIS)[number];

/** The calls, requests and capacity units one function used. */
export class AwsMeter {
  /** Port calls per API: what the code asked for, once per call whatever the SDK retried. */
  readonly calls: Record<AwsApi, number> = zeroes();
  /** Requests per API as AWS bills them: every attempt, the SDK's retries included. */
  readonly requests: Record<AwsApi, number> = zeroes();
  /** DynamoDB write and read request units (on-demand billing), table and index together. */
  writeUnits = 0;
  readUnits = 0;

  get totalCalls(): number {
    return AWS_APIS.reduce((sum, api) => sum + this.calls[api], 0);
  }
}

const zeroes = (): Record<AwsApi, number> =>
  Object.fromEntries(AWS_APIS.map((api) => [api, 0])) as Record<AwsApi, number>;

/** The network and fault model of AWS calls. */
export interface AwsCallModel {
  /** One attempt's round trip: uniform between these (the 10–40 ms). */
  readonly minLatencyMs: number;
  readonly maxLatencyMs: number;
  /** Share of attempts that fail (5xx, reset, throttle): the SDK retries them. */
  readonly faultRate: number;
  /** Attempts per call, the first included (client-config.ts: 2). */
  readonly sdkAttempts: number;
  /** The SDK's pause before a retry: up to this, uniformly (its 50 ms base for non-throttling errors). */
  readonly sdkBackoffMs: number;
  /** CPU per call at one vCPU (marshalling, signing, TLS); scaled by the function's vCPU share. */
  readonly cpuMsPerCall: number;
}

/** The invocation a port call belongs to: its function's meter and CPU, and whether it still runs. */
export interface CallContext {
  readonly meter: AwsMeter;
  /** vCPU share of the function's memory (memory / 1,769 MB). */
  readonly vcpu: number;
  /** False once Lambda stopped the invocation (timeout, crash): its calls never return. */
  readonly alive: boolean;
  /** Told which connection a call is about (the calls-per-refresh histogram). */
  readonly onConnectionCall?: (connectionId: string) => void;
}

/** An AWS error the SDK gave up on (every attempt faulted). */
export class SimAwsError extends Error {
  constructor(readonly api: AwsApi) {
    super(`${api} failed after the SDK's retries (simulated fault)`);
    this.name = 'InternalServerError';
  }
}

/**
 * A promise that never settles: the continuation of a stopped invocation. A new one each time, so
 * that nothing keeps the abandoned continuations alive.
 */
export const never = (): Promise<never> => new Promise<never>(() => {});

/**
 * Performs one simulated AWS call for `context`: counts it and resolves when its latency (and the
 * SDK's retry when an attempt faults) has passed, or rejects with SimAwsError when every attempt
 * faulted. A call of an invocation Lambda has stopped never settles, as its code would never run on.
 * One event on the clock and one promise per call: the simulation makes millions of them.
 */
export function awsCall(
  time: VirtualTime,
  random: SimRandom,
  model: AwsCallModel,
  context: CallContext,
  api: AwsApi,
): Promise<void> {
  const { meter } = context;
  meter.calls[api]++;
  const cpuMs = model.cpuMsPerCall / context.vcpu;
  let waitMs = 0;
  let ok = false;
  for (let attempt = 1; attempt <= model.sdkAttempts && !ok; attempt++) {
    if (attempt > 1) waitMs += random.uniform(0, model.sdkBackoffMs);
    meter.requests[api]++;
    waitMs += random.uniform(model.minLatencyMs, model.maxLatencyMs) + cpuMs;
    ok = !random.chance(model.faultRate);
  }
  return new Promise((resolve, reject) => {
    time.after(waitMs, () => {
      if (!context.alive) return;
      if (ok) resolve();
      else reject(new SimAwsError(api));
    });
  });
}
