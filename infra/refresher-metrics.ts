/**
 * The refresher's own metrics as CDK sees them, always of one instance: its namespace and its
 * `service` dimension (instance-identity.ts). The alarms, the dashboard and the construct's
 * `metric…()` methods build every refresher metric here, so none can watch another instance's data.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { MetricsIdentity } from '../functions/aws/metrics-identity';
import { REASON_DIMENSION } from '../functions/aws/names';
import type { MetricName } from '../functions/core/ports';

/** The period of the alarms and graphs that are not tied to the schedule. */
export const FIVE_MINUTES = Duration.minutes(5);

/** A metric of the instance, with the `service` dimension every data point carries. */
export type RefresherMetric = (
  name: MetricName,
  statistic: string,
  period?: Duration,
  label?: string,
) => cloudwatch.Metric;

/** The metrics of one instance. */
export function refresherMetrics(identity: MetricsIdentity): RefresherMetric {
  return (name, statistic, period = FIVE_MINUTES, label) =>
    refresherMetric(identity, name, { statistic, period, ...(label === undefined ? {} : { label }) });
}

/** One metric of the instance; `options` as CDK's `metric…()` methods take them. */
export function refresherMetric(
  identity: MetricsIdentity,
  name: MetricName,
  options: cloudwatch.MetricOptions = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    period: FIVE_MINUTES,
    ...options,
    namespace: identity.namespace,
    metricName: name,
    // The instance's dimension comes last: options cannot point the metric at another instance.
    dimensionsMap: { ...options.dimensionsMap, service: identity.service },
  });
}

/**
 * A SEARCH over every `reason` of one metric of the instance: a new error code shows up as a new
 * line by itself, without redeploying the dashboard. The quoted service is an exact match, so
 * `zoho-token-refresher` does not find `zoho-token-refresher-dev`.
 */
export function byReasonExpression(identity: MetricsIdentity, name: MetricName): string {
  const schema = `{${quoted(identity.namespace)},${REASON_DIMENSION},service}`;
  return `SEARCH('${schema} MetricName="${name}" service="${identity.service}"', 'Sum', ${FIVE_MINUTES.toSeconds()})`;
}

/** A namespace with characters other than letters and digits must be quoted in a SEARCH schema. */
const quoted = (namespace: string) => (/^[A-Za-z0-9]+$/.test(namespace) ? namespace : `"${namespace}"`);
