/**
 * Which refresher a metric data point and a log line belong to: the CloudWatch namespace and the
 * `service` dimension (also the `service` key of every log line). The construct gives each instance
 * its own pair and hands it to the functions in their environment, read once at cold start, so two
 * refreshers in one account and region never alarm on each other's metrics. Without the variables
 * a function uses the defaults, which the emulator (the workshop's `init`) and `doctor` use too.
 */
import { ConfigurationError, InvalidInputError } from '../core/errors';
import { ENV, METRICS_NAMESPACE, SERVICE_NAME } from './names';

/** A refresher's metrics namespace and service name. */
export interface MetricsIdentity {
  readonly namespace: string;
  readonly service: string;
}

/** The identity of a refresher configured with nothing: the emulator's and a single stack's. */
export const DEFAULT_METRICS_IDENTITY: MetricsIdentity = {
  namespace: METRICS_NAMESPACE,
  service: SERVICE_NAME,
};

/** CloudWatch's namespace characters; `AWS/` is reserved for AWS's own metrics. */
const NAMESPACE = /^[0-9A-Za-z.\-_/#: ]{1,255}$/;
/** A dimension value may hold more; this one also names every log line, so it stays plain. */
const SERVICE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** `value` as a metrics namespace; InvalidInputError says what is wrong without the caller's name. */
export function parseMetricsNamespace(value: string): string {
  if (!NAMESPACE.test(value) || value.startsWith('AWS/') || value.trim() !== value) {
    throw new InvalidInputError(
      `must be 1-255 letters, digits, spaces or . - _ / # :, not start with 'AWS/' and not start or end with a space (got ${JSON.stringify(value.slice(0, 80))})`,
    );
  }
  return value;
}

/** `value` as a service name (the `service` dimension). */
export function parseServiceName(value: string): string {
  if (!SERVICE.test(value)) {
    throw new InvalidInputError(
      `must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit (got ${JSON.stringify(value.slice(0, 80))})`,
    );
  }
  return value;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The identity from the environment (`POWERTOOLS_METRICS_NAMESPACE`, `POWERTOOLS_SERVICE_NAME`),
 * each defaulting when unset or blank. A malformed value throws ConfigurationError naming the
 * variable: CloudWatch would drop the data points without a word, and every alarm would go quiet.
 */
export function readMetricsIdentity(env: Env = process.env): MetricsIdentity {
  return {
    namespace: read(env, ENV.metricsNamespace, METRICS_NAMESPACE, parseMetricsNamespace),
    service: read(env, ENV.serviceName, SERVICE_NAME, parseServiceName),
  };
}

function read(env: Env, name: string, fallback: string, parse: (value: string) => string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') return fallback;
  try {
    return parse(value);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new ConfigurationError(`${name} ${error.message}`);
    throw error;
  }
}
