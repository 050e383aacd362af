/**
 * Against a deployed stack: names come from the stack's outputs (a stack created in the emulator),
 * and refresh, revoke and sweep invoke the deployed functions. Lambda is the one service the
 * emulator cannot run here, so its Invoke runs the real handlers in-process, as the function would.
 */
import {
  type EventSourceMappingConfiguration,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../../../cli/doctor/check';
import type { SweepReport } from '../../../cli/handlers';
import { quietLog } from '../../../cli/quiet-log';
import {
  createInProcessPlanner,
  createInProcessRefresher,
  createInProcessWorker,
} from '../../../dev/emulator/in-process';
import { deliverQueuedOrders } from '../../../dev/emulator/work';
import { putClientCredentials } from '../../../functions/aws/client-credentials';
import { SecretsManagerTokenVault } from '../../../functions/aws/token-vault';
import { createTokenRejectedHandler } from '../../../functions/on-demand-refresh/token-rejected-handler';
import { createOperatorHandler } from '../../../functions/operator/operator-handler';
import { createPlannerHandler } from '../../../functions/planner/planner-handler';
import { createRefreshWorkerHandler } from '../../../functions/refresh-worker/refresh-worker-handler';
import { OUTPUT_KEYS } from '../../../infra/output-keys';
import { runCli } from './cli-run';
import { CLIENT_ID, useCliWorld } from './cli-world';
import { deployStack, ON_DEMAND, OPERATOR, PLANNER, WORKER } from './deployed-stack';

const world = useCliWorld();
const lambda = mockClient(LambdaClient);
const STACK = 'ZohoTokensCliTest';
const invoked: Array<{ functionName: string; payload: unknown }> = [];
let functionEnv: Record<string, string> = {};
let mapping: EventSourceMappingConfiguration = {};
let functionTimeout = 60;
let mappingsDenied = false;
let restoreEndpoint = () => {};

const stack = (...args: string[]) => [...args, '--stack', STACK, '--region', 'us-east-1'];
const encode = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value)));
const checksOf = (stdout: string) => {
  const { checks } = JSON.parse(stdout) as { checks: Check[] };
  return (name: string) => checks.find((check) => check.name === name);
};

beforeAll(async () => {
  restoreEndpoint = await deployStack(world, STACK);
  functionEnv = {
    TABLE_NAME: world.resources.tableName,
    EVENT_BUS_NAME: world.resources.eventBusName,
    SECRET_PREFIX: world.resources.secretPrefix,
    REFRESH_TOKEN_KEY_ID: world.resources.keyArn,
  };
  // The "deployed" functions: the real handlers, with the refresher's own configuration.
  const settings = { allowedAccountsServers: [world.accountsServer('us')], log: quietLog };
  const deps = createInProcessRefresher(world.target, world.clients, settings);
  const planner = createInProcessPlanner(
    world.target,
    world.clients,
    world.resources.refreshQueueUrl,
    settings,
  );
  const functions: Record<string, (payload: unknown) => Promise<unknown>> = {
    [ON_DEMAND]: createTokenRejectedHandler(deps),
    [OPERATOR]: createOperatorHandler(deps),
    [PLANNER]: (payload) => createPlannerHandler(planner)(payload as Record<string, never>),
  };
  mapping = {
    UUID: 'mapping-1',
    EventSourceArn: world.resources.refreshQueueArn,
    FunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${WORKER}`,
    State: 'Enabled',
    BatchSize: 10,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    ScalingConfig: { MaximumConcurrency: 10 },
  };
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
    const fn = functions[input.FunctionName];
    if (fn === undefined) throw new Error(`no function ${input.FunctionName}`);
    return { StatusCode: 200, Payload: encode(await fn(payload)) };
  });
  lambda
    .on(GetFunctionConfigurationCommand)
    .callsFake(async () => ({ Environment: { Variables: functionEnv }, Timeout: functionTimeout }));
  lambda.on(ListEventSourceMappingsCommand).callsFake(async () => {
    if (mappingsDenied) throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    return { EventSourceMappings: [mapping] };
  });
  await world.putClient();
});

afterAll(() => {
  lambda.restore();
  restoreEndpoint();
});

describe('zoho-tokens against a deployed stack', () => {
  it("reads the names from the stack's outputs", async () => {
    // Prepare
    await world.seedConnection('aws-a');

    // Act
    const result = await runCli(stack('status', '--json'));
    const table = await runCli(stack('status'));

    // Assess: the refresh queues too are the stack's outputs
    expect(table.stdout).toContain('Refresh queue: empty; dead-letter queue: empty.');
    expect(result.code).toBe(0);
    expect(result.json<Array<{ connectionId: string }>>().map((view) => view.connectionId)).toEqual([
      'aws-a',
    ]);
  });

  it('refreshes by invoking the operator function with an operator command', async () => {
    // Act
    const result = await runCli(stack('refresh', 'aws-a'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Invoking ${OPERATOR} …`);
    expect(result.stdout).toMatch(/^Refreshed 'aws-a': token version 1/);
    expect(invoked.at(-1)).toEqual({
      functionName: OPERATOR,
      payload: { operatorCommand: 'refresh', connectionId: 'aws-a', force: false },
    });
  });

  it('sweeps by invoking the planner, whose orders the deployed workers then take from the queue', async () => {
    // Prepare
    await world.seedConnection('aws-b');

    // Act
    const result = await runCli(stack('sweep', '--json'));
    // The deployed workers: the event source mapping hands them the queue.
    const worker = createInProcessWorker(world.target, world.clients, world.resources.refreshQueueUrl, {
      allowedAccountsServers: [world.accountsServer('us')],
      log: quietLog,
    });
    const delivered = await deliverQueuedOrders({
      sqs: world.clients.sqs,
      queue: { url: world.resources.refreshQueueUrl, arn: world.resources.refreshQueueArn },
      region: 'us-east-1',
      handler: createRefreshWorkerHandler(worker, { concurrency: 10 }),
    });
    const human = await runCli(stack('sweep'));

    // Assess
    expect(result.code).toBe(0);
    expect(invoked.at(-2)).toEqual({ functionName: PLANNER, payload: { sweep: 'all_due' } });
    expect(result.json<SweepReport>()).toEqual({
      plan: expect.objectContaining({ planned: 1, overdue: 1, upcoming: 0, notQueued: 0 }),
      queue: { waiting: 1, inFlight: 0, delayed: 0 },
    });
    expect(result.stderr).toContain(`Invoking ${PLANNER} …`);
    expect(delivered).toMatchObject({ delivered: 1, succeeded: 1 });
    expect(await world.store.get('aws-b')).toMatchObject({ version: 1 });
    expect(human.stdout).toBe(
      'Sweep: 0 due (0 more within the minute) queued for the refresh workers; refresh queue: empty.\n',
    );
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
      functionName: OPERATOR,
      payload: { operatorCommand: 'refresh', connectionId: 'aws-new', force: true },
    });
    expect((await world.store.get('aws-new'))?.version).toBe(1);
  });

  it('revokes through the operator function', async () => {
    // Act
    const result = await runCli(stack('revoke', 'aws-b', '--yes'));

    // Assess
    expect(result.code).toBe(0);
    expect(invoked.at(-1)).toEqual({
      functionName: OPERATOR,
      payload: { operatorCommand: 'revoke', connectionId: 'aws-b' },
    });
    expect(await world.store.get('aws-b')).toMatchObject({ status: 'revoked', encryptedRefreshToken: '' });
  });

  it('revoked already: removes a secret left behind through the operator function, only if still revoked', async () => {
    // Prepare: aws-b was revoked above; a refresh that lost its lease wrote a secret after it
    const vault = new SecretsManagerTokenVault({
      client: world.clients.secretsManager,
      secretPrefix: world.resources.secretPrefix,
    });
    await vault.write({
      connectionId: 'aws-b',
      version: 9,
      accessToken: '1000.test-at-left-behind',
      apiDomain: 'https://www.zohoapis.com',
      tokenType: 'Bearer',
      expiresAt: Date.now() + 3_600_000,
    });
    const zohoRevokes = world.sim.calls.revoke;

    // Act
    const result = await runCli(stack('revoke', 'aws-b', '--json'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({ connectionId: 'aws-b', outcome: 'revoked', alreadyRevoked: true });
    expect(invoked.at(-1)).toEqual({
      functionName: OPERATOR,
      payload: { operatorCommand: 'revoke', connectionId: 'aws-b', expectedStatus: 'revoked' },
    });
    expect(await vault.read('aws-b')).toBeUndefined();
    expect(world.sim.calls.revoke).toBe(zohoRevokes);
  });

  it('exits 1 with the function error when the function fails', async () => {
    // Prepare
    await world.seedConnection('aws-boom');

    // Act
    const result = await runCli(stack('refresh', 'aws-boom'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `zoho-tokens: ${OPERATOR} failed: TimeoutError: Task timed out after 30.00 seconds`,
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
    expect(good.stdout).toContain(
      `✓ operator function: ${OPERATOR} reads this table, bus, key and secret prefix`,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(
      `✗ planner function: ${PLANNER} is configured differently: TABLE_NAME is "some-other-table", expected "zoho-token-refresher"`,
    );
    expect(wrong.stdout).toContain(`✗ refresh worker function: ${WORKER} is configured differently`);
  });

  it("doctor checks the worker's event source: enabled, reporting partial failures, within the queue's visibility", async () => {
    // Prepare
    const enabled = mapping;

    // Act
    const good = await runCli(stack('doctor', '--json'));
    mapping = { ...enabled, State: 'Disabled' };
    const disabled = await runCli(stack('doctor', '--json'));
    mapping = { ...enabled, FunctionResponseTypes: [] };
    const wholeBatches = await runCli(stack('doctor', '--json'));
    mapping = enabled;
    functionTimeout = 900;
    const slowWorker = await runCli(stack('doctor', '--json'));
    functionTimeout = 60;
    mappingsDenied = true;
    const denied = await runCli(stack('doctor', '--json'));
    mappingsDenied = false;

    // Assess
    expect(checksOf(good.stdout)('worker event source')).toEqual({
      name: 'worker event source',
      status: 'ok',
      message: `${WORKER} takes up to 10 orders per invocation, at most 10 at once`,
    });
    expect(checksOf(good.stdout)('refresh queue visibility')).toBeUndefined();
    expect(checksOf(good.stdout)('refresh dead-letter queue')).toMatchObject({ status: 'ok' });
    expect(checksOf(disabled.stdout)('worker event source')).toEqual({
      name: 'worker event source',
      status: 'fail',
      message: `the event source mapping of ${WORKER} is disabled: orders pile up and no token is refreshed`,
      fix: 'aws lambda update-event-source-mapping --uuid mapping-1 --enabled',
    });
    expect(checksOf(wholeBatches.stdout)('worker event source')).toMatchObject({
      status: 'fail',
      message: `the event source mapping of ${WORKER} does not report batch item failures: one failed order makes the whole batch come back`,
    });
    // grantOperate leaves lambda:ListEventSourceMappings out (IAM grants it on * only)
    expect(checksOf(denied.stdout)('worker event source')).toEqual({
      name: 'worker event source',
      status: 'warn',
      message: `could not look at the event source of ${WORKER}: these credentials may not lambda:ListEventSourceMappings`,
      fix: 'grant lambda:ListEventSourceMappings (resource *) to check it, or look in the Lambda console',
    });
    expect(checksOf(slowWorker.stdout)('refresh queue visibility')).toMatchObject({
      status: 'fail',
      message:
        "the queue hides an order for 360 s, less than the worker's 900 s timeout: an order still being refreshed is delivered again",
    });
  });

  it('enables a disabled connection by invoking the operator function', async () => {
    // Prepare
    await world.seedConnection('aws-off', { status: 'disabled' });

    // Act
    const result = await runCli(stack('enable', 'aws-off'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Invoking ${OPERATOR} …`);
    expect(result.stdout).toMatch(
      /^Enabled 'aws-off' \(was disabled\)\. Refreshed 'aws-off': token version 1/,
    );
    expect(invoked.at(-1)).toEqual({
      functionName: OPERATOR,
      payload: { operatorCommand: 'refresh', connectionId: 'aws-off', force: true },
    });
    expect(await world.store.get('aws-off')).toMatchObject({ status: 'active', version: 1 });
  });

  it('enable warns that the function may still hold a client app it read, when Zoho rejects the client', async () => {
    // Prepare
    await putClientCredentials(world.clients.secretsManager, world.resources.secretPrefix, 'books-stale', {
      clientId: CLIENT_ID,
      clientSecret: 'test-cs-stale',
    });
    await world.seedConnection('aws-stale', { clientRef: 'books-stale', status: 'misconfigured' });

    // Act
    const result = await runCli(stack('enable', 'aws-stale'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "Refresh of 'aws-stale' failed: Zoho rejected the client app (invalid_client_secret)",
    );
    expect(result.stderr).toContain(
      "If you just ran 'clients put', the deployed function may still use the previous secret for up to 5 minutes (it caches client apps): run 'zoho-tokens enable aws-stale' again after that.",
    );
    expect(result.stderr).not.toContain('test-cs-');
  });

  it('doctor ID asks the deployed function what the refresher can read', async () => {
    // Act
    const result = await runCli(stack('doctor', 'aws-a', '--json', '--allow-custom-accounts-server'));

    // Assess
    expect(invoked).toContainEqual({
      functionName: OPERATOR,
      payload: { operatorCommand: 'check', connectionId: 'aws-a' },
    });
    const check = checksOf(result.stdout);
    expect(check('refresh token')).toEqual({
      name: 'refresh token',
      status: 'ok',
      message: `${OPERATOR} (the refresher's role) decrypts it with key ${world.resources.keyArn} under its connection's encryption context`,
    });
    expect(check('refresher: client app books')).toMatchObject({
      status: 'ok',
      message: `${OPERATOR} (the refresher's role) reads it for data centre custom`,
    });
    expect(check('refresher: access-token secret')).toMatchObject({
      status: 'ok',
      message: `${OPERATOR} (the refresher's role) reads it (version 1)`,
    });
  });

  it("doctor ID says what the refresher's role needs when it cannot read", async () => {
    // Prepare
    const borrowed = (await world.store.get('aws-a'))?.encryptedRefreshToken ?? expect.fail('no aws-a');
    await world.seedConnection('aws-locked', { encryptedRefreshToken: borrowed, clientRef: 'books-gone' });

    // Act
    const result = await runCli(stack('doctor', 'aws-locked', '--json', '--allow-custom-accounts-server'));

    // Assess
    expect(result.code).toBe(1);
    const check = checksOf(result.stdout);
    expect(check('refresh token')).toMatchObject({
      status: 'fail',
      message: `${OPERATOR} (the refresher's role) cannot decrypt it: RefreshTokenCipherRefusedError [refresh_token_cipher_refused] caused by InvalidCiphertextException`,
    });
    expect(check('refresh token')?.fix).toContain(
      `the refresher roles need kms:Decrypt on ${world.resources.keyArn} under this connection's encryption context`,
    );
    expect(check('refresher: client app books-gone')).toMatchObject({
      status: 'fail',
      message: `${OPERATOR} (the refresher's role) cannot read it: ClientCredentialsNotFoundError [client_credentials_not_found]`,
      fix: `store it: zoho-tokens clients put --client books-gone --client-id … --client-secret -; if it is stored, the refresher roles need secretsmanager:GetSecretValue on ${world.resources.secretPrefix}/_clients/books-gone`,
    });
  });

  it('doctor ID reports a function that fails the check, and warns when no function is known', async () => {
    // Act
    const failing = await runCli(stack('doctor', 'aws-boom', '--json', '--allow-custom-accounts-server'));
    const unnamed = await runCli([
      'doctor',
      'aws-a',
      '--json',
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
    expect(checksOf(failing.stdout)('refresher')).toEqual({
      name: 'refresher',
      status: 'fail',
      message: `could not be checked: OperationError: ${OPERATOR} failed: TimeoutError: Task timed out after 30.00 seconds`,
    });
    expect(checksOf(unnamed.stdout)('refresh token')).toEqual({
      name: 'refresh token',
      status: 'warn',
      message:
        'not checked: only the refresher roles may decrypt it, and without the stack the operator function is not known',
      fix: 'pass --stack (instead of --table/--bus/--key) so doctor can ask the deployed function',
    });
  });

  it('says what a stack deployed before the operator function lacks', async () => {
    // Prepare
    const older = 'ZohoTokensBeforeOperator';
    (await deployStack(world, older, {}, [OUTPUT_KEYS.operatorFunctionName]))();
    const on = (...args: string[]) => [...args, '--stack', older, '--region', 'us-east-1'];
    const before = invoked.length;

    // Act
    const refresh = await runCli(on('refresh', 'aws-a', '--force'));
    const doctor = await runCli(on('doctor', '--json'));

    // Assess
    expect(refresh.code).toBe(1);
    expect(refresh.stderr).toContain('the operator function is not known');
    expect(refresh.stderr).toContain(
      "a stack deployed before this CLI's version may lack the output: deploy it again",
    );
    expect(checksOf(doctor.stdout)('operator function')).toEqual({
      name: 'operator function',
      status: 'warn',
      message: `stack ${older} does not name the operator function in its outputs`,
      fix: 'deploy the stack again with this version (older stacks lack the output)',
    });
    expect(invoked.length).toBe(before);
  });

  it('says when the stack is not deployed in the region', async () => {
    // Act
    const result = await runCli(['status', '--stack', 'NoSuchStack', '--region', 'us-east-1']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("zoho-tokens: Stack 'NoSuchStack' not found in us-east-1");
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
    expect(result.stderr).toContain('the operator function is not known');
    expect(result.stderr).toContain('pass --stack instead of --table/--bus/--key');
  });
});
