import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, logPort, PowertoolsMetricsAdapter } from '../../../functions/aws/metrics';
import { capturedOutput } from '../../support/log-capture';

/** The JSON documents written to stdout since `from`, keeping those that match `keep`. */
function documentsSince(from: number, keep: (doc: Record<string, unknown>) => boolean) {
  return capturedOutput
    .slice(from)
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter(keep);
}

const isEmf = (doc: Record<string, unknown>) => '_aws' in doc;

/** Dimension sets and metric names of an EMF document. */
function shape(doc: Record<string, unknown>) {
  const aws = doc._aws as {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: unknown[] }[];
  };
  const [directive] = aws.CloudWatchMetrics;
  return { namespace: directive?.Namespace, dimensions: directive?.Dimensions, metrics: directive?.Metrics };
}

describe('PowertoolsMetricsAdapter', () => {
  beforeEach(() => {
    // Metrics are off in POWERTOOLS_DEV mode; these tests read what would reach CloudWatch.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('emits a data point with the service dimension only, and a reason copy with service + reason', () => {
    // Prepare
    const metrics = new PowertoolsMetricsAdapter();
    const from = capturedOutput.length;

    // Act
    metrics.add('RefreshFailed', 1, 'Count', 'throttled');
    metrics.powertools.publishStoredMetrics();

    // Assess
    const docs = documentsSince(from, isEmf);
    expect(docs).toHaveLength(2);
    const [withReason, aggregated] = docs as [Record<string, unknown>, Record<string, unknown>];
    expect(shape(withReason)).toEqual({
      namespace: 'ZohoTokenRefresher',
      dimensions: [['service', 'reason']],
      metrics: [{ Name: 'RefreshFailed', Unit: 'Count' }],
    });
    expect(withReason).toMatchObject({
      service: 'zoho-token-refresher',
      reason: 'throttled',
      RefreshFailed: 1,
    });
    expect(shape(aggregated)).toEqual({
      namespace: 'ZohoTokenRefresher',
      dimensions: [['service']],
      metrics: [{ Name: 'RefreshFailed', Unit: 'Count' }],
    });
    expect(aggregated).toMatchObject({ service: 'zoho-token-refresher', RefreshFailed: 1 });
    expect(aggregated).not.toHaveProperty('reason');
  });

  it('emits only the aggregated metric when no reason is given, in the given unit', () => {
    // Prepare
    const metrics = new PowertoolsMetricsAdapter();
    const from = capturedOutput.length;

    // Act
    metrics.add('ZohoLatency', 812, 'Milliseconds');
    metrics.powertools.publishStoredMetrics();

    // Assess
    const docs = documentsSince(from, isEmf);
    expect(docs).toHaveLength(1);
    expect(shape(docs[0] ?? {})).toEqual({
      namespace: 'ZohoTokenRefresher',
      dimensions: [['service']],
      metrics: [{ Name: 'ZohoLatency', Unit: 'Milliseconds' }],
    });
    expect(docs[0]).toMatchObject({ ZohoLatency: 812 });
  });

  it("emits under the instance's namespace and service, read from the environment at creation", () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'ZohoDev');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'zoho-token-refresher-dev');
    const metrics = new PowertoolsMetricsAdapter();
    const from = capturedOutput.length;

    // Act
    metrics.add('RefreshFailed', 1, 'Count', 'throttled');
    metrics.powertools.publishStoredMetrics();

    // Assess
    const docs = documentsSince(from, isEmf);
    expect(docs.map((doc) => [shape(doc).namespace, doc.service])).toEqual([
      ['ZohoDev', 'zoho-token-refresher-dev'],
      ['ZohoDev', 'zoho-token-refresher-dev'],
    ]);
  });
});

describe('logPort', () => {
  it('forwards the message and attributes to the Powertools Logger as one JSON line', () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
    const log = logPort(createLogger());
    const from = capturedOutput.length;

    // Act
    log.warn('refresh deferred', { connectionId: 'books-eu', retryAt: 42 });
    log.debug('no attributes');
    vi.unstubAllEnvs();

    // Assess
    const lines = documentsSince(from, (doc) => 'level' in doc);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'WARN',
      message: 'refresh deferred',
      service: 'zoho-token-refresher',
      connectionId: 'books-eu',
      retryAt: 42,
    });
    expect(lines[1]).toMatchObject({ level: 'DEBUG', message: 'no attributes' });
  });

  it("names the instance's service on every line", () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'zoho-token-refresher-prod');
    const log = logPort(createLogger());
    vi.unstubAllEnvs();
    const from = capturedOutput.length;

    // Act
    log.info('refreshed', { connectionId: 'books-eu' });

    // Assess
    const lines = documentsSince(from, (doc) => 'level' in doc);
    expect(lines).toEqual([
      expect.objectContaining({ message: 'refreshed', service: 'zoho-token-refresher-prod' }),
    ]);
  });
});
