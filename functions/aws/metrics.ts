/**
 * Observability adapters: the Metrics port over Powertools Metrics (CloudWatch EMF on stdout) and a
 * Powertools Logger usable as the core Log port.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Log, MetricName, Metrics, MetricUnit as PortMetricUnit } from '../core/ports';
import { type MetricsIdentity, readMetricsIdentity } from './metrics-identity';
import { REASON_DIMENSION } from './names';

type PowertoolsUnit = (typeof MetricUnit)[keyof typeof MetricUnit];

const UNITS = {
  Count: MetricUnit.Count,
  Milliseconds: MetricUnit.Milliseconds,
  Seconds: MetricUnit.Seconds,
} as const satisfies Record<PortMetricUnit, PowertoolsUnit>;

/**
 * The Powertools Metrics instance of a function, created once at module scope (cold start); the
 * handler flushes it (middy `logMetrics`). Namespace and service are the instance's (from the
 * environment, see metrics-identity.ts).
 */
export function createPowertoolsMetrics(
  identity: MetricsIdentity = readMetricsIdentity(),
): PowertoolsMetrics {
  return new PowertoolsMetrics({ namespace: identity.namespace, serviceName: identity.service });
}

/**
 * The Metrics port. Every data point goes out with the `service` dimension only, so an alarm needs
 * one metric per name whatever the reasons; with a reason it is ALSO emitted at once as a single
 * metric with a `reason` dimension, so a dashboard can split failures by reason.
 */
export class PowertoolsMetricsAdapter implements Metrics {
  /** The wrapped instance, for the handler's flush middleware. */
  readonly powertools: PowertoolsMetrics;

  constructor(powertools: PowertoolsMetrics = createPowertoolsMetrics()) {
    this.powertools = powertools;
  }

  add(name: MetricName, value: number, unit: PortMetricUnit, reason?: string): void {
    this.powertools.addMetric(name, UNITS[unit], value);
    if (reason === undefined || reason === '') return;
    // singleMetric() keeps the default (service) dimension and publishes on addMetric.
    const withReason = this.powertools.singleMetric();
    withReason.addDimension(REASON_DIMENSION, reason);
    withReason.addMetric(name, UNITS[unit], value);
  }
}

/**
 * The function's Powertools Logger (JSON lines, level from POWERTOOLS_LOG_LEVEL, `service` the
 * instance's), created once at module scope; hand `logPort(logger)` to the use case and the logger itself to middy middleware.
 */
export function createLogger(identity: MetricsIdentity = readMetricsIdentity()): Logger {
  return new Logger({ serviceName: identity.service });
}

/**
 * The core Log port over a Powertools Logger. A wrapper, not the logger itself: Powertools types its
 * extra arguments as a rest tuple, which an optional `attributes` parameter does not satisfy.
 */
export function logPort(logger: Logger): Log {
  const level =
    (write: (message: string, ...attributes: Record<string, unknown>[]) => void) =>
    (message: string, attributes?: Record<string, unknown>) =>
      attributes === undefined ? write(message) : write(message, attributes);
  return {
    debug: level((message, ...rest) => logger.debug(message, ...rest)),
    info: level((message, ...rest) => logger.info(message, ...rest)),
    warn: level((message, ...rest) => logger.warn(message, ...rest)),
    error: level((message, ...rest) => logger.error(message, ...rest)),
  };
}
