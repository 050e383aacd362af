import { describe, expect, it } from 'vitest';
import { readRefresherConfig } from '../../../functions/aws/config';
import { ConfigurationError } from '../../../functions/core/errors';
import { thrown } from './fixtures';

const REQUIRED = {
  TABLE_NAME: 'zoho-token-refresher',
  SECRET_PREFIX: 'zoho-token-refresher',
  REFRESH_TOKEN_KEY_ID: 'alias/zoho-token-refresher',
  EVENT_BUS_NAME: 'zoho-token-refresher',
};

describe('readRefresherConfig', () => {
  it('applies the defaults of every optional setting', () => {
    // Act
    const config = readRefresherConfig(REQUIRED);

    // Assess
    expect(config).toEqual({
      tableName: 'zoho-token-refresher',
      secretPrefix: 'zoho-token-refresher',
      keyId: 'alias/zoho-token-refresher',
      eventBusName: 'zoho-token-refresher',
      refreshMarginSeconds: 690,
      refreshJitterSeconds: 30,
      secretWritesPerSecond: 20,
      refreshWorkerConcurrency: 10,
      zohoBudget: 9,
      sweepConcurrency: 8,
      zohoTimeoutMs: 8_000,
      allowedAccountsServers: [],
    });
  });

  it('reads every optional setting, blank ones counting as unset', () => {
    // Act
    const config = readRefresherConfig({
      ...REQUIRED,
      REFRESH_MARGIN_SECONDS: '1200',
      REFRESH_JITTER_SECONDS: '0',
      SECRET_WRITES_PER_SECOND: '40',
      REFRESH_WORKER_CONCURRENCY: '20',
      REFRESH_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/refresh',
      ZOHO_BUDGET: '5',
      SWEEP_CONCURRENCY: ' 16 ',
      ZOHO_TIMEOUT_MS: '',
      ALLOWED_ACCOUNTS_SERVERS: 'http://127.0.0.1:4599, https://accounts.example.test/',
      SECRET_KMS_KEY_ID: 'alias/secrets',
    });

    // Assess
    expect(config).toMatchObject({
      refreshMarginSeconds: 1200,
      refreshJitterSeconds: 0,
      secretWritesPerSecond: 40,
      refreshWorkerConcurrency: 20,
      refreshQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/refresh',
      zohoBudget: 5,
      sweepConcurrency: 16,
      zohoTimeoutMs: 8_000,
      allowedAccountsServers: ['http://127.0.0.1:4599', 'https://accounts.example.test'],
      secretKmsKeyId: 'alias/secrets',
    });
  });

  it.each(Object.keys(REQUIRED))(
    'fails loudly, naming %s, when a required variable is missing or blank',
    (name) => {
      // Prepare
      const missing = { ...REQUIRED, [name]: undefined };
      const blank = { ...REQUIRED, [name]: '  ' };

      // Act
      const errors = [thrown(() => readRefresherConfig(missing)), thrown(() => readRefresherConfig(blank))];

      // Assess
      for (const error of errors) {
        expect(error).toBeInstanceOf(ConfigurationError);
        expect(error.message).toBe(`${name} is required but not set`);
      }
    },
  );

  it.each([
    ['ZOHO_BUDGET', '10', 'ZOHO_BUDGET must be an integer from 1 to 9 (got "10")'],
    ['ZOHO_BUDGET', '0', 'ZOHO_BUDGET must be an integer from 1 to 9 (got "0")'],
    ['ZOHO_BUDGET', '8.5', 'ZOHO_BUDGET must be an integer from 1 to 9 (got "8.5")'],
    ['SWEEP_CONCURRENCY', 'many', 'SWEEP_CONCURRENCY must be an integer from 1 to 50 (got "many")'],
    ['REFRESH_MARGIN_SECONDS', '60', 'REFRESH_MARGIN_SECONDS must be an integer from 300 to 2999 (got "60")'],
    ['ZOHO_TIMEOUT_MS', '-1', 'ZOHO_TIMEOUT_MS must be an integer from 100 to 8000 (got "-1")'],
    // Three attempts of 10 s would outlast the on-demand function's 30 s.
    ['ZOHO_TIMEOUT_MS', '10000', 'ZOHO_TIMEOUT_MS must be an integer from 100 to 8000 (got "10000")'],
    [
      'ALLOWED_ACCOUNTS_SERVERS',
      'https://accounts.example.test/oauth',
      'ALLOWED_ACCOUNTS_SERVERS must be comma-separated http(s) origins such as https://accounts.example.com (got "https://accounts.example.test/oauth")',
    ],
    [
      'ALLOWED_ACCOUNTS_SERVERS',
      'ftp://accounts.example.test',
      'ALLOWED_ACCOUNTS_SERVERS must be comma-separated http(s) origins such as https://accounts.example.com (got "ftp://accounts.example.test")',
    ],
    [
      'SECRET_PREFIX',
      'zoho/',
      `SECRET_PREFIX must be letters, digits and /_+=.@- and must not end with '/' (got "zoho/")`,
    ],
  ])('rejects %s=%s with a ConfigurationError naming the variable', (name, value, message) => {
    // Act
    const error = thrown(() => readRefresherConfig({ ...REQUIRED, [name]: value }));

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe(message);
  });
});
