/**
 * The EMF documents the functions write: exactly the lines Powertools Metrics wrote before (the
 * alarms, the dashboard and the log queries read these keys), one per flush and one per reason.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmfMetrics } from '../../../functions/aws/metrics';
import { capturedOutput } from '../../support/log-capture';

const NOW = 1_796_598_209_588;
const IDENTITY = { namespace: 'ZohoTokenRefresher', service: 'zoho-token-refresher' };

/** An EmfMetrics writing into `lines` at a fixed time. */
function recorded(identity = IDENTITY) {
  const lines: string[] = [];
  const metrics = new EmfMetrics(identity, { write: (line) => lines.push(line), now: () => NOW });
  return { metrics, lines };
}

/** The EMF line of one dimension set, as Powertools wrote it. */
const emf = (
  dimensions: Record<string, string>,
  metrics: [string, string][],
  values: Record<string, number | number[]>,
  identity = IDENTITY,
) =>
  JSON.stringify({
    _aws: {
      Timestamp: NOW,
      CloudWatchMetrics: [
        {
          Namespace: identity.namespace,
          Dimensions: [['service', ...Object.keys(dimensions)]],
          Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })),
        },
      ],
    },
    service: identity.service,
    ...dimensions,
    ...values,
  });

describe('EmfMetrics', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('writes a reason copy at once with service + reason, and the data point with service only at flush', () => {
    // Prepare
    const { metrics, lines } = recorded();

    // Act
    metrics.add('RefreshFailed', 1, 'Count', 'throttled');
    const beforeFlush = [...lines];
    metrics.flush();

    // Assess
    expect(beforeFlush).toEqual([
      '{"_aws":{"Timestamp":1796598209588,"CloudWatchMetrics":[{"Namespace":"ZohoTokenRefresher","Dimensions":[["service","reason"]],"Metrics":[{"Name":"RefreshFailed","Unit":"Count"}]}]},"service":"zoho-token-refresher","reason":"throttled","RefreshFailed":1}',
    ]);
    expect(lines).toEqual([
      ...beforeFlush,
      '{"_aws":{"Timestamp":1796598209588,"CloudWatchMetrics":[{"Namespace":"ZohoTokenRefresher","Dimensions":[["service"]],"Metrics":[{"Name":"RefreshFailed","Unit":"Count"}]}]},"service":"zoho-token-refresher","RefreshFailed":1}',
    ]);
  });

  it('puts every metric of an invocation in one document, repeated names as arrays, in their units', () => {
    // Prepare
    const { metrics, lines } = recorded();

    // Act
    metrics.add('ZohoLatency', 812, 'Milliseconds');
    metrics.add('RefreshSucceeded', 1, 'Count', '');
    metrics.add('ZohoLatency', 95, 'Milliseconds');
    metrics.add('SecondsToExpiry', 3540, 'Seconds');
    metrics.flush();

    // Assess
    expect(lines).toEqual([
      emf(
        {},
        [
          ['ZohoLatency', 'Milliseconds'],
          ['RefreshSucceeded', 'Count'],
          ['SecondsToExpiry', 'Seconds'],
        ],
        { ZohoLatency: [812, 95], RefreshSucceeded: 1, SecondsToExpiry: 3540 },
      ),
    ]);
  });

  it('writes nothing at a flush without data points, and forgets what it flushed', () => {
    // Prepare
    const { metrics, lines } = recorded();
    metrics.add('ZohoCalls', 1, 'Count');
    metrics.flush();

    // Act
    metrics.flush();
    metrics.add('ZohoCalls', 2, 'Count');
    metrics.flush();

    // Assess
    expect(lines).toEqual([
      emf({}, [['ZohoCalls', 'Count']], { ZohoCalls: 1 }),
      emf({}, [['ZohoCalls', 'Count']], { ZohoCalls: 2 }),
    ]);
  });

  it("flushes at CloudWatch's limits: 100 values of one metric, 100 metrics in one document", () => {
    // Prepare
    const { metrics, lines } = recorded();

    // Act: 101 values of one name, then the 1 left and 100 more names
    for (let i = 0; i < 101; i++) metrics.add('ZohoLatency', i, 'Milliseconds');
    for (let i = 0; i < 100; i++) metrics.add(`Gauge${i}` as 'ZohoCalls', i, 'Count');
    metrics.flush();

    // Assess
    const documents = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(documents.map((doc) => Object.keys(doc).length - 2)).toEqual([1, 100, 1]);
    expect(documents[0]?.ZohoLatency).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(documents[1]?.ZohoLatency).toBe(100);
    expect(documents[1]?.Gauge98).toBe(98);
    expect(documents[2]).toMatchObject({ Gauge99: 99 });
  });

  it('writes the cold-start count at once with the function name, as Powertools did', () => {
    // Prepare
    const { metrics, lines } = recorded();

    // Act
    metrics.addColdStart('zoho-refresher-Worker');

    // Assess
    expect(lines).toEqual([
      '{"_aws":{"Timestamp":1796598209588,"CloudWatchMetrics":[{"Namespace":"ZohoTokenRefresher","Dimensions":[["service","function_name"]],"Metrics":[{"Name":"ColdStart","Unit":"Count"}]}]},"service":"zoho-token-refresher","function_name":"zoho-refresher-Worker","ColdStart":1}',
    ]);
  });

  it("writes under the instance's namespace and service, from the environment by default, to stdout", () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'ZohoDev');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'zoho-token-refresher-dev');
    const metrics = new EmfMetrics(undefined, { now: () => NOW });
    const from = capturedOutput.length;

    // Act
    metrics.add('RefreshFailed', 1, 'Count', 'throttled');
    metrics.flush();

    // Assess
    const dev = { namespace: 'ZohoDev', service: 'zoho-token-refresher-dev' };
    expect(capturedOutput.slice(from)).toEqual([
      `${emf({ reason: 'throttled' }, [['RefreshFailed', 'Count']], { RefreshFailed: 1 }, dev)}\n`,
      `${emf({}, [['RefreshFailed', 'Count']], { RefreshFailed: 1 }, dev)}\n`,
    ]);
  });
});
