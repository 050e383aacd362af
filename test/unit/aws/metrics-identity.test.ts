/**
 * The functions' metrics namespace and service, read once from the environment the construct sets.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_METRICS_IDENTITY,
  parseMetricsNamespace,
  readMetricsIdentity,
} from '../../../functions/aws/metrics-identity';
import { ConfigurationError, InvalidInputError } from '../../../functions/core/errors';

describe('readMetricsIdentity', () => {
  it('is the default namespace and service without the variables, or with blank ones', () => {
    expect(readMetricsIdentity({})).toEqual({
      namespace: 'ZohoTokenRefresher',
      service: 'zoho-token-refresher',
    });
    expect(readMetricsIdentity({ POWERTOOLS_METRICS_NAMESPACE: ' ', POWERTOOLS_SERVICE_NAME: '' })).toEqual(
      DEFAULT_METRICS_IDENTITY,
    );
  });

  it("is the instance's namespace and service from Powertools' variables", () => {
    expect(
      readMetricsIdentity({
        POWERTOOLS_METRICS_NAMESPACE: 'Team/Zoho: dev',
        POWERTOOLS_SERVICE_NAME: 'zoho-token-refresher-dev',
      }),
    ).toEqual({ namespace: 'Team/Zoho: dev', service: 'zoho-token-refresher-dev' });
  });

  it.each([
    [
      'POWERTOOLS_METRICS_NAMESPACE',
      'AWS/Lambda',
      /POWERTOOLS_METRICS_NAMESPACE must be .*not start with 'AWS\/'/,
    ],
    ['POWERTOOLS_METRICS_NAMESPACE', 'Zoho*', /POWERTOOLS_METRICS_NAMESPACE must be/],
    ['POWERTOOLS_METRICS_NAMESPACE', 'x'.repeat(256), /POWERTOOLS_METRICS_NAMESPACE must be/],
    ['POWERTOOLS_SERVICE_NAME', 'zoho tokens', /POWERTOOLS_SERVICE_NAME must be .*got "zoho tokens"/],
    ['POWERTOOLS_SERVICE_NAME', '-zoho', /POWERTOOLS_SERVICE_NAME must be/],
  ])('fails the cold start on %s=%j, naming the variable', (name, value, message) => {
    expect(() => readMetricsIdentity({ [name]: value })).toThrow(ConfigurationError);
    expect(() => readMetricsIdentity({ [name]: value })).toThrow(message);
  });

  it('accepts a namespace of 255 characters and refuses leading or trailing spaces', () => {
    expect(parseMetricsNamespace('x'.repeat(255))).toHaveLength(255);
    expect(() => parseMetricsNamespace(' Zoho')).toThrow(InvalidInputError);
    expect(() => parseMetricsNamespace('Zoho ')).toThrow(InvalidInputError);
  });
});
