/**
 * The consumer library's own SDK clients (used when the consumer injects none) carry the call limits
 * of aws/client-config.ts. Read from the client that served the call (the mock's `this`).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { createRejectionReporter } from '../../../functions/consumer/rejection-reporter';
import { createTokenReader } from '../../../functions/consumer/token-reader';
import { callLimitsOf, FUNCTION_CALL_LIMITS, type ProbedClient } from '../aws/call-limits-probe';
import { BUS, CONNECTION_ID, HOUR, secretString } from './fixtures';

describe("the consumer library's default clients", () => {
  const secrets = mockClient(SecretsManagerClient);
  const events = mockClient(EventBridgeClient);
  afterAll(() => {
    secrets.restore();
    events.restore();
  });

  it('reads the token secret through a Secrets Manager client with the call limits', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: secretString(3, Date.now() + HOUR) });
    const reader = createTokenReader({ connectionId: CONNECTION_ID });

    // Act
    await reader.getToken();

    // Assess
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    const client = secrets.send.getCall(0).thisValue as ProbedClient;
    expect(await callLimitsOf(client)).toEqual(FUNCTION_CALL_LIMITS);
  });

  it('publishes a rejection through an EventBridge client with the call limits', async () => {
    // Prepare
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    const reporter = createRejectionReporter({ eventBusName: BUS });

    // Act
    await reporter.report({ connectionId: CONNECTION_ID, version: 3, status: 401 });

    // Assess
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(1);
    const client = events.send.getCall(0).thisValue as ProbedClient;
    expect(await callLimitsOf(client)).toEqual(FUNCTION_CALL_LIMITS);
  });
});
