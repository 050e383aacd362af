/**
 * The CLI's SDK clients carry call limits: those of the functions against AWS, a longer request
 * timeout against an emulator, and for Lambda one attempt long enough to wait for an invoked sweep.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import { createTargetClients, resolveTarget } from '../../../cli/aws-target';
import { OUTPUT_KEYS } from '../../../infra/output-keys';
import { callLimitsOf, FUNCTION_CALL_LIMITS } from '../aws/call-limits-probe';

const LAMBDA_LIMITS = {
  ...FUNCTION_CALL_LIMITS,
  requestTimeout: 75_000,
  socketTimeout: 75_000,
  maxAttempts: 1,
};

describe('the CLI clients', () => {
  const created: { destroy(): void }[] = [];
  afterEach(() => {
    for (const client of created.splice(0)) client.destroy();
  });

  it('against AWS: every client has the call limits of the functions, Lambda one long attempt', async () => {
    // Act
    const clients = createTargetClients({ region: 'eu-west-1' });
    created.push(...Object.values(clients));

    // Assess
    const { lambda, ...others } = clients;
    expect(Object.keys(others)).toHaveLength(8);
    for (const [name, client] of Object.entries(others)) {
      expect(await callLimitsOf(client), name).toEqual(FUNCTION_CALL_LIMITS);
    }
    expect(await callLimitsOf(lambda)).toEqual(LAMBDA_LIMITS);
  });

  it('against AWS with --profile: every client, Lambda included, resolves through that profile', async () => {
    // Act
    const clients = createTargetClients({ region: 'eu-west-1', profile: 'prod' });
    created.push(...Object.values(clients));

    // Assess
    const profiles = Object.values(clients).map((client) => (client.config as { profile?: string }).profile);
    expect(profiles).toEqual(Array(9).fill('prod'));
  });

  it('against an emulator: a 30 s request timeout, so only a dead emulator is cut short', async () => {
    // Act
    const clients = createTargetClients({ region: 'us-east-1', endpoint: 'http://127.0.0.1:5000' });
    created.push(...Object.values(clients));

    // Assess
    const { lambda, ...others } = clients;
    for (const [name, client] of Object.entries(others)) {
      expect(await callLimitsOf(client), name).toEqual({
        ...FUNCTION_CALL_LIMITS,
        requestTimeout: 30_000,
        socketTimeout: 30_000,
      });
    }
    expect(await callLimitsOf(lambda)).toEqual(LAMBDA_LIMITS);
  });

  it("reads the stack's outputs through a CloudFormation client with the call limits", async () => {
    // Prepare
    const seen: CloudFormationClient[] = [];
    const describeStack = async (client: CloudFormationClient) => {
      seen.push(client);
      created.push(client);
      return {
        [OUTPUT_KEYS.tableName]: 'table',
        [OUTPUT_KEYS.eventBusName]: 'bus',
        [OUTPUT_KEYS.refreshTokenKeyArn]: 'arn:aws:kms:eu-west-1:123456789012:key/k',
        [OUTPUT_KEYS.secretPrefix]: 'zoho-token-refresher',
      };
    };

    const access = async () => ({ region: 'eu-west-1', profileInUse: { source: 'none' as const } });

    // Act
    await resolveTarget({ region: 'eu-west-1' }, { access, describeStack });

    // Assess
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(CloudFormationClient);
    expect(await callLimitsOf(seen[0] as CloudFormationClient)).toEqual(FUNCTION_CALL_LIMITS);
  });
});
