/**
 * A consumer bound with `bindConsumer` needs no options: the library reads the connection, the
 * secret prefix and the bus from the variables the construct set; options still win.
 */
import 'aws-sdk-client-mock-vitest/extend';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { consumerSettings } from '../../../functions/consumer/environment';
import { createZohoClient } from '../../../functions/consumer/zoho-fetch';
import { ConfigurationError } from '../../../functions/core/errors';
import { json, RecordingClock, recordingFetch, useConsumerWorld } from './fixtures';

const BOUND = {
  ZOHO_TOKENS_CONNECTION_ID: 'acme-books',
  ZOHO_TOKENS_SECRET_PREFIX: 'team-a/zoho',
  ZOHO_TOKENS_EVENT_BUS_NAME: 'zoho-dev-bus',
};

describe('consumerSettings', () => {
  it('takes every setting from the environment of a bound function', () => {
    expect(consumerSettings({}, BOUND)).toEqual({
      connectionId: 'acme-books',
      secretPrefix: 'team-a/zoho',
      eventBusName: 'zoho-dev-bus',
    });
  });

  it('lets options win over the environment', () => {
    expect(
      consumerSettings(
        { connectionId: 'acme-crm', eventBusName: 'other', secretPrefix: 'other/prefix' },
        BOUND,
      ),
    ).toEqual({ connectionId: 'acme-crm', secretPrefix: 'other/prefix', eventBusName: 'other' });
  });

  it("leaves the secret prefix to the reader's default when neither names one, and ignores blank variables", () => {
    expect(consumerSettings({}, { ...BOUND, ZOHO_TOKENS_SECRET_PREFIX: ' ' })).toEqual({
      connectionId: 'acme-books',
      secretPrefix: undefined,
      eventBusName: 'zoho-dev-bus',
    });
  });

  it.each([
    ['ZOHO_TOKENS_CONNECTION_ID', /connectionId is required: pass it, or set ZOHO_TOKENS_CONNECTION_ID/],
    ['ZOHO_TOKENS_EVENT_BUS_NAME', /eventBusName is required: .*ZOHO_TOKENS_EVENT_BUS_NAME/],
  ])('fails when %s is missing and no option names it', (variable, message) => {
    const env = { ...BOUND, [variable]: '' };
    expect(() => consumerSettings({}, env)).toThrow(ConfigurationError);
    expect(() => consumerSettings({}, env)).toThrow(message);
  });
});

describe('createZohoClient() in a bound function', () => {
  const world = useConsumerWorld();

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads the secret under the bound prefix and reports a 401 on the bound bus, for the bound connection', async () => {
    // Prepare
    for (const [name, value] of Object.entries(BOUND)) vi.stubEnv(name, value);
    // Zoho refuses every token: one report, one refreshed token (the world's refresher), one retry.
    const { fetch, sent } = recordingFetch(() => json(401, { code: 57 }));
    const client = createZohoClient({
      secretsClient: new SecretsManagerClient({ region: 'eu-west-1' }),
      eventBridgeClient: new EventBridgeClient({ region: 'eu-west-1' }),
      fetch,
      clock: new RecordingClock(),
    });

    // Act
    await client.fetch('/books/v3/organizations').catch(() => undefined);

    // Assess
    expect(client.connectionId).toBe('acme-books');
    expect(world.sm).toHaveReceivedCommandWith(GetSecretValueCommand, {
      SecretId: 'team-a/zoho/acme-books/access-token',
    });
    expect(world.eb).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(world.eb).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        expect.objectContaining({
          EventBusName: 'zoho-dev-bus',
          Source: 'zoho-token-refresher.consumer.acme-books',
        }),
      ],
    });
    expect(sent).toHaveLength(2);
  });
});
