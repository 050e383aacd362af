/**
 * Against a deployed stack: names come from the stack's outputs (a stack created in the emulator),
 * and refresh, revoke and sweep invoke the deployed functions. Lambda is the one service the
 * emulator cannot run here, so its Invoke runs the real handlers in-process, as the function would.
 */
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessRefresher, quietLog } from '../../../cli/local/in-process';
import type { SweepSummary } from '../../../functions/core/sweep';
import { createTokenRejectedHandler } from '../../../functions/on-demand-refresh/token-rejected-handler';
import { createSweepHandler } from '../../../functions/scheduled-refresh/sweep-handler';
import { OUTPUT_KEYS } from '../../../infra/output-keys';
import { runCli } from './cli-run';
import { useCliWorld } from './cli-world';

const world = useCliWorld();
const lambda = mockClient(LambdaClient);
const STACK = 'ZohoTokensCliTest';
const ON_DEMAND = 'zt-on-demand';
const SCHEDULED = 'zt-scheduled';
const invoked: Array<{ functionName: string; payload: unknown }> = [];
let functionEnv: Record<string, string> = {};
const savedEndpoint = process.env.AWS_ENDPOINT_URL;

const stack = (...args: string[]) => [...args, '--stack', STACK, '--region', 'us-east-1'];
const encode = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value)));

beforeAll(async () => {
  // Without --aws-endpoint the CLI is in AWS mode; the SDK finds the emulator through this variable.
  process.env.AWS_ENDPOINT_URL = world.endpoint;
  const outputs: Record<string, string> = {
    [OUTPUT_KEYS.tableName]: world.resources.tableName,
    [OUTPUT_KEYS.eventBusName]: world.resources.eventBusName,
    [OUTPUT_KEYS.refreshTokenKeyArn]: world.resources.keyArn,
    [OUTPUT_KEYS.secretPrefix]: world.resources.secretPrefix,
    [OUTPUT_KEYS.alarmTopicArn]: world.resources.alarmTopicArn,
    [OUTPUT_KEYS.scheduledFunctionName]: SCHEDULED,
    [OUTPUT_KEYS.onDemandFunctionName]: ON_DEMAND,
  };
  await world.clients.cloudFormation.send(
    new CreateStackCommand({
      StackName: STACK,
      TemplateBody: JSON.stringify({
        Resources: { Placeholder: { Type: 'AWS::SQS::Queue' } },
        Outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { Value: value }])),
      }),
    }),
  );
  await world.clients.sns.send(
    new SubscribeCommand({
      TopicArn: world.resources.alarmTopicArn,
      Protocol: 'sqs',
      Endpoint: world.resources.eventsQueueArn,
    }),
  );
  functionEnv = {
    TABLE_NAME: world.resources.tableName,
    EVENT_BUS_NAME: world.resources.eventBusName,
    SECRET_PREFIX: world.resources.secretPrefix,
    REFRESH_TOKEN_KEY_ID: world.resources.keyArn,
  };
  // The "deployed" functions: the real handlers, with the refresher's own configuration.
  const deps = createInProcessRefresher(world.target, world.clients, {
    allowedAccountsServers: [world.accountsServer('us')],
    log: quietLog,
  });
  const onDemand = createTokenRejectedHandler(deps);
  const sweep = createSweepHandler(deps, { concurrency: 4, reserveMs: 1_000 });
  lambda.on(InvokeCommand).callsFake(async (input: { FunctionName: string; Payload: Uint8Array }) => {
    const payload = JSON.parse(Buffer.from(input.Payload).toString('utf8'));
    invoked.push({ functionName: input.FunctionName, payload });
    if (payload.connectionId === 'aws-boom') {
      return {
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: encode({ errorType: 'TimeoutError', errorMessage: 'Task timed out after 30.00 seconds' }),
      };
    }
    const result =
      input.FunctionName === ON_DEMAND
        ? await onDemand(payload)
        : await sweep(payload, { getRemainingTimeInMillis: () => 60_000 });
    return { StatusCode: 200, Payload: encode(result) };
  });
  lambda
    .on(GetFunctionConfigurationCommand)
    .callsFake(async () => ({ Environment: { Variables: functionEnv } }));
  await world.putClient();
});

afterAll(() => {
  lambda.restore();
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = savedEndpoint;
});

describe('zoho-tokens against a deployed stack', () => {
  it("reads the names from the stack's outputs", async () => {
    // Prepare
    await world.seedConnection('aws-a');

    // Act
    const result = await runCli(stack('status', '--json'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.json<Array<{ connectionId: string }>>().map((view) => view.connectionId)).toEqual([
      'aws-a',
    ]);
  });

  it('refreshes by invoking the on-demand function with an operator command', async () => {
    // Act
    const result = await runCli(stack('refresh', 'aws-a'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Invoking ${ON_DEMAND} …`);
    expect(result.stdout).toMatch(/^Refreshed 'aws-a': token version 1/);
    expect(invoked.at(-1)).toEqual({
      functionName: ON_DEMAND,
      payload: { operatorCommand: 'refresh', connectionId: 'aws-a', force: true },
    });
  });

  it('sweeps by invoking the scheduled function', async () => {
    // Prepare
    await world.seedConnection('aws-b');

    // Act
    const result = await runCli(stack('sweep', '--json'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.json<SweepSummary>()).toMatchObject({ due: 1, refreshed: 1, failed: 0 });
    expect(invoked.at(-1)?.functionName).toBe(SCHEDULED);
  });

  it('onboards: the CLI encrypts and registers, the function makes the first refresh', async () => {
    // Act
    const result = await runCli(
      stack(
        'add',
        '--id',
        'aws-new',
        '--client',
        'books',
        '--accounts-server',
        world.accountsServer('us'),
        '--allow-custom-accounts-server',
      ),
      {
        env: {
          ZOHO_REFRESH_TOKEN: world.sim.issueRefreshToken({ clientId: '1000.CLITESTCLIENT', dc: 'us' }),
        },
      },
    );

    // Assess
    expect(result.code).toBe(0);
    expect(invoked.at(-1)).toEqual({
      functionName: ON_DEMAND,
      payload: { operatorCommand: 'refresh', connectionId: 'aws-new', force: true },
    });
    expect((await world.store.get('aws-new'))?.version).toBe(1);
  });

  it('revokes through the on-demand function', async () => {
    // Act
    const result = await runCli(stack('revoke', 'aws-b', '--yes'));

    // Assess
    expect(result.code).toBe(0);
    expect(invoked.at(-1)).toEqual({
      functionName: ON_DEMAND,
      payload: { operatorCommand: 'revoke', connectionId: 'aws-b' },
    });
    expect(await world.store.get('aws-b')).toMatchObject({ status: 'revoked', encryptedRefreshToken: '' });
  });

  it('exits 1 with the function error when the function fails', async () => {
    // Prepare
    await world.seedConnection('aws-boom');

    // Act
    const result = await runCli(stack('refresh', 'aws-boom'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `zoho-tokens: ${ON_DEMAND} failed: TimeoutError: Task timed out after 30.00 seconds`,
    );
    expect(result.stderr).toContain("hint: see the function's log group in CloudWatch Logs");
  });

  it("doctor checks the functions' configuration against the outputs", async () => {
    // Act
    const good = await runCli(stack('doctor'));
    functionEnv = { ...functionEnv, TABLE_NAME: 'some-other-table' };
    const wrong = await runCli(stack('doctor'));

    // Assess
    expect(good.stdout).toContain(
      `✓ on-demand function: ${ON_DEMAND} reads this table, bus, key and secret prefix`,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(
      `✗ scheduled function: ${SCHEDULED} is configured differently: TABLE_NAME is "some-other-table", expected "zoho-token-refresher"`,
    );
  });

  it('says when the stack cannot be read', async () => {
    // Act
    const result = await runCli(['status', '--stack', 'NoSuchStack', '--region', 'us-east-1']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("zoho-tokens: Cannot read stack 'NoSuchStack'");
  });

  it('cannot invoke functions it cannot name: --table/--bus/--key give no function names', async () => {
    // Act
    const result = await runCli([
      'refresh',
      'aws-a',
      '--force',
      '--region',
      'us-east-1',
      '--table',
      world.resources.tableName,
      '--bus',
      world.resources.eventBusName,
      '--key',
      world.resources.keyArn,
    ]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the on-demand refresh function is not known');
    expect(result.stderr).toContain('pass --stack instead of --table/--bus/--key');
  });
});
