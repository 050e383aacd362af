/**
 * How long one AWS SDK call may take, and how often the SDK retries it: the settings every SDK client
 * of the refresher functions, the consumer library and the CLI is built with. Without them a call
 * that hangs (a connection nobody answers, a response that stops half-way) waits for the function's
 * own timeout — 30 s on demand — and the lease it holds blocks the connection until it expires.
 */

/** The bounds of one SDK call. */
export interface AwsCallLimits {
  /** TCP connect to the endpoint. */
  readonly connectionTimeoutMs: number;
  /**
   * From sending the request to the response's headers; also the longest silence while its body
   * streams in (the socket's idle timeout).
   */
  readonly requestTimeoutMs: number;
  /** Attempts of one call, the first included (the SDK's own retries). */
  readonly maxAttempts: number;
}

/**
 * The limits of every AWS call the functions and the consumer library make.
 * - Connect 1 s: a TCP connect to a regional endpoint from Lambda takes milliseconds; one that takes
 *   a second is a network fault that a fresh connection (the retry) may not have.
 * - Request 2 s: Secrets Manager, DynamoDB, KMS and EventBridge answer in tens of milliseconds (a
 *   PutSecretValue in a few hundred at worst); 2 s is far above that yet small against the
 *   functions' budgets (see AWS_CALL_WORST_CASE_MS).
 * - 2 attempts: one retry on a fresh connection gets past a dropped socket, a 5xx or one throttle.
 *   Retrying further is the callers' business: they know what is at stake (the refresh retries a
 *   secret write with the minted token in hand; the sweep comes back in 5 minutes; Lambda retries an
 *   on-demand event; a consumer sees a typed error).
 */
export const AWS_CALL_LIMITS: AwsCallLimits = {
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 2_000,
  maxAttempts: 2,
};

/**
 * The limits of PutSecretValue: one attempt. The refresh already retries a secret write (up to
 * `secretWriteAttempts`), each attempt in a slot of the write pacer; an SDK retry inside the call
 * would be a write the pacer never saw, and the workers together could pass `secretWritesPerSecond`.
 */
export const SECRET_WRITE_CALL_LIMITS: AwsCallLimits = { ...AWS_CALL_LIMITS, maxAttempts: 1 };

/**
 * The longest wait of the SDK's standard retry strategy before retry number `n` (0-based) is its
 * base × 2^n, jittered down: base 1 s after a throttling error, 50 ms after any other.
 */
const SDK_THROTTLING_BACKOFF_BASE_MS = 1_000;

/**
 * The longest one call under `limits` can take: every attempt runs into the request timeout (the
 * connect timeout runs inside it) and every wait before a retry is the longest throttling backoff.
 * Not counted: a `Retry-After` header on an error, which the SDK honours for up to 5 s more per
 * retry if a service ever sends one.
 */
export function awsCallWorstCaseMs(limits: AwsCallLimits = AWS_CALL_LIMITS): number {
  let backoffMs = 0;
  for (let retry = 0; retry < limits.maxAttempts - 1; retry++) {
    backoffMs += SDK_THROTTLING_BACKOFF_BASE_MS * 2 ** retry;
  }
  return limits.maxAttempts * limits.requestTimeoutMs + backoffMs;
}

/** The worst case of one call under AWS_CALL_LIMITS: 2 × 2 s + 1 s = 5 s. */
export const AWS_CALL_WORST_CASE_MS = awsCallWorstCaseMs();

/**
 * The SDK client settings for `limits`: spread it into any client's configuration,
 * `new SecretsManagerClient({ ...awsClientConfig(), region })`. The request handler is given as
 * options, which every client turns into its own Node HTTP handler (no import of the handler's
 * package, which is the SDK's dependency, not ours).
 */
export function awsClientConfig(limits: AwsCallLimits = AWS_CALL_LIMITS) {
  return {
    maxAttempts: limits.maxAttempts,
    requestHandler: {
      connectionTimeout: limits.connectionTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Without it the handler only logs a warning when the request timeout passes and keeps waiting.
      throwOnRequestTimeout: true,
      // A response that stops mid-body: the default idle timeout of some clients is 5 minutes.
      socketTimeout: limits.requestTimeoutMs,
    },
  };
}
