/**
 * The dashboard's row for the connect endpoint (prop `connectEndpoint`), kept apart from
 * dashboard.ts, which adds it only when the endpoint is deployed.
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { MetricsIdentity } from '../functions/aws/metrics-identity';
import { byReasonExpression, FIVE_MINUTES as PERIOD, refresherMetrics } from './refresher-metrics';

/**
 * The connect endpoint: links completed and refused (every page but success, a scanner's 404s
 * included), the function's own errors and throttles, and the refusals by page.
 */
export function connectRow(
  identity: MetricsIdentity,
  fn: lambda.IFunction,
  size: { readonly width: number; readonly height: number },
): cloudwatch.IWidget[] {
  const refresherMetric = refresherMetrics(identity);
  return [
    new cloudwatch.GraphWidget({
      title: 'Connect links',
      ...size,
      left: [
        refresherMetric('ConnectLinkCompleted', 'Sum', PERIOD, 'connected'),
        refresherMetric('ConnectLinkFailed', 'Sum', PERIOD, 'refused or failed (any page but success)'),
      ],
      right: [
        fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: 'function errors' }),
        fn.metricThrottles({ period: PERIOD, statistic: 'Sum', label: 'throttled requests' }),
      ],
      leftYAxis: { min: 0 },
    }),
    new cloudwatch.GraphWidget({
      title: 'Connect link failures by reason',
      ...size,
      left: [
        new cloudwatch.MathExpression({
          expression: byReasonExpression(identity, 'ConnectLinkFailed'),
          usingMetrics: {},
          label: '',
          period: PERIOD,
        }),
      ],
    }),
  ];
}
