import { describe, expect, it } from 'vitest';
import { outputKeyPrefix, resolveTarget } from '../../../cli/aws-target';
import { OUTPUT_KEYS } from '../../../infra/output-keys';

const access = async () => ({ region: 'eu-west-1', profileInUse: { source: 'none' as const } });

/** A stack holding two refreshers: the default one and `dev`, whose output keys carry `Dev`. */
const twoRefreshers = async () => ({
  [OUTPUT_KEYS.tableName]: 'prod-table',
  [OUTPUT_KEYS.eventBusName]: 'prod-bus',
  [OUTPUT_KEYS.refreshTokenKeyArn]: 'arn:aws:kms:eu-west-1:123456789012:key/prod',
  [OUTPUT_KEYS.secretPrefix]: 'zoho-token-refresher',
  [`Dev${OUTPUT_KEYS.tableName}`]: 'dev-table',
  [`Dev${OUTPUT_KEYS.eventBusName}`]: 'dev-bus',
  [`Dev${OUTPUT_KEYS.refreshTokenKeyArn}`]: 'arn:aws:kms:eu-west-1:123456789012:key/dev',
  [`Dev${OUTPUT_KEYS.secretPrefix}`]: 'zoho-token-refresher-dev',
  [`Dev${OUTPUT_KEYS.metricsNamespace}`]: 'ZohoTokenRefresher',
  [`Dev${OUTPUT_KEYS.metricsService}`]: 'zoho-token-refresher-dev',
});

describe('--instance: one refresher of a stack that holds several', () => {
  it('reads the outputs of the named refresher, its metrics identity included', async () => {
    const target = await resolveTarget({ instance: 'dev' }, { access, describeStack: twoRefreshers });

    expect(target.names).toEqual({
      tableName: 'dev-table',
      eventBusName: 'dev-bus',
      keyId: 'arn:aws:kms:eu-west-1:123456789012:key/dev',
      secretPrefix: 'zoho-token-refresher-dev',
      metricsNamespace: 'ZohoTokenRefresher',
      metricsService: 'zoho-token-refresher-dev',
    });
  });

  it('reads the unprefixed outputs without it', async () => {
    const target = await resolveTarget({}, { access, describeStack: twoRefreshers });

    expect(target.names).toMatchObject({ tableName: 'prod-table', secretPrefix: 'zoho-token-refresher' });
  });

  it('says when the stack has no refresher of that name', async () => {
    await expect(resolveTarget({ instance: 'qa' }, { access, describeStack: twoRefreshers })).rejects.toThrow(
      "no refresher named 'qa'",
    );
  });

  it('prefixes as the construct does', () => {
    expect([outputKeyPrefix(undefined), outputKeyPrefix('dev'), outputKeyPrefix('prod2')]).toEqual([
      '',
      'Dev',
      'Prod2',
    ]);
  });
});
