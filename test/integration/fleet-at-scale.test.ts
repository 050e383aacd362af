/**
 * The scheduled path at fleet size, on the real adapters: 2,000 connections → the planner handler →
 * SQS (moto) → the local event source mapping → the refresh-worker handler → Zoho (simulator),
 * Secrets Manager, DynamoDB, EventBridge (moto). Every connection is refreshed exactly once, SQS's
 * duplicates included, and a second planner run finds nothing to queue.
 *
 * Time goes to moto, which answers one request at a time (about 5 ms each): the test batches and
 * parallelises where the deployed system does (SendMessageBatch, ReceiveMessage of 10, batches of
 * 10 refreshed side by side, several invocations at once) and where moto lets it (seeding with
 * BatchWriteItem). The sandbox's rule that copies every refresher event into a queue for its live
 * view is removed: the stack has no such rule, and it would double moto's work per event.
 */
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { ListTargetsByRuleCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { MiddlewareStack } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLog } from '../../cli/quiet-log';
import { CountingMetrics } from '../../dev/emulator/in-process';
import { type DeliveryCounts, deliverQueuedOrders } from '../../dev/emulator/work';
import { createLocalResources, type LocalResources } from '../../dev/resources/resources';
import { startZohoSimulator, type ZohoSimulator } from '../../dev/zoho-simulator';
import type { RefresherConfig } from '../../functions/aws/config';
import { toConnectionItem } from '../../functions/aws/connection-items';
import { createPlannerDependencies, createWorkerDependencies } from '../../functions/aws/fleet-wiring';
import { encodeRefreshOrder } from '../../functions/aws/refresh-order-codec';
import { type AwsClients, createAwsPorts } from '../../functions/aws/runtime';
import { REFRESH_WORKER_BATCH_SIZE, SETTING_LIMITS } from '../../functions/aws/settings';
import { type Connection, newConnection } from '../../functions/core/connection';
import type { PlanSummary } from '../../functions/core/plan-refreshes';
import { createPlannerHandler } from '../../functions/planner/planner-handler';
import { createRefreshWorkerHandler } from '../../functions/refresh-worker/refresh-worker-handler';
import { useEmulator } from '../support/emulator';
import {
  createEmulatorClients,
  type EmulatorClients,
  emulatorRefresherConfig,
  registerClientApp,
  type SimulatedClientApp,
} from '../support/real-world';

const CONNECTIONS = 2_000;
/** Orders SQS delivers twice (at-least-once): the lease must make them cost nothing. */
const DUPLICATES = 100;
/** Local invocations at once, as the event source mapping runs several workers. */
const INVOCATIONS = 8;
const DC = 'us';
const CLIENT_APP: SimulatedClientApp = {
  clientRef: 'books',
  clientId: '1000.FLEETCLIENT',
  clientSecret: 'test-cs-fleet',
  dcs: [DC],
};

const emulator = useEmulator();
let resources: LocalResources;
let sim: ZohoSimulator;
let emulatorClients: EmulatorClients;
let clients: AwsClients & { readonly sqs: SQSClient };
let config: RefresherConfig;
const awsCalls = new Map<string, number>();
/** Each connection's refresh token, to count the Zoho calls made with it. */
const refreshTokens = new Map<string, string>();

beforeAll(async () => {
  resources = await createLocalResources({ endpoint: emulator.endpoint, region: emulator.region });
  sim = await startZohoSimulator();
  emulatorClients = createEmulatorClients(emulator.clientConfig);
  clients = { ...emulatorClients.clients, sqs: new SQSClient(emulatorClients.sdk) };
  for (const client of Object.values(clients)) countCalls(client.middlewareStack, awsCalls);
  config = {
    ...emulatorRefresherConfig(resources, { allowedAccountsServers: [sim.accountsServer(DC)] }),
    refreshQueueUrl: resources.refreshQueueUrl,
    // The most a stack may take of the region's 50 writes per second; one in-process worker stands
    // for all of them, so its pacer holds the whole limit.
    secretWritesPerSecond: SETTING_LIMITS.secretWritesPerSecond.max,
    refreshWorkerConcurrency: 1,
  };
  await registerClientApp(sim, clients.secretsManager, config, CLIENT_APP);
  await dropSandboxEventsRule();
  await seedConnections();
}, 300_000);

afterAll(async () => {
  clients?.sqs.destroy();
  emulatorClients?.destroy();
  await sim?.stop();
});

describe('the planner, the refresh queue and the workers, at 2,000 connections', () => {
  let firstPlan: PlanSummary;
  let delivery: DeliveryCounts;
  const metrics = new CountingMetrics();

  it('queues every due connection once and refreshes each exactly once, SQS duplicates included', {
    timeout: 300_000,
  }, async () => {
    // Prepare
    const wiring = { metrics, log: quietLog, clients, sqs: clients.sqs };
    const planner = createPlannerHandler(createPlannerDependencies(config, wiring));
    const worker = createRefreshWorkerHandler(createWorkerDependencies(config, wiring), {
      concurrency: REFRESH_WORKER_BATCH_SIZE,
    });
    sim.resetCounters();
    awsCalls.clear();

    // Act: one planner run (the CLI's sweep request: every connection due now), SQS's duplicates,
    // then the event source mapping until the queue is empty
    firstPlan = await planner({ sweep: 'all_due' });
    const plannerCalls = new Map(awsCalls);
    await deliverTwice(DUPLICATES);
    delivery = await deliverQueuedOrders({
      sqs: clients.sqs,
      queue: { url: resources.refreshQueueUrl, arn: resources.refreshQueueArn },
      region: emulator.region,
      handler: worker,
      batchSize: REFRESH_WORKER_BATCH_SIZE,
      concurrency: INVOCATIONS,
    });

    // Assess: the planner read the due index and queued the fleet in batches of ten
    expect(firstPlan).toMatchObject({
      planned: CONNECTIONS,
      overdue: CONNECTIONS,
      upcoming: 0,
      notQueued: 0,
    });
    expect(plannerCalls.get('SendMessageBatch')).toBe(CONNECTIONS / 10);
    // Every message delivered once and deleted; no order handed back
    expect(delivery).toMatchObject({
      delivered: CONNECTIONS + DUPLICATES,
      succeeded: CONNECTIONS + DUPLICATES,
      failed: 0,
    });
    // Exactly one Zoho call per connection: the duplicates lost the lease or found the work done
    expect(sim.calls.token).toBe(CONNECTIONS);
    const callsPerToken = [...refreshTokens.values()].map((token) => sim.calls.tokenCallsFor(token));
    expect(callsPerToken.filter((calls) => calls !== 1)).toEqual([]);
    expect(metrics.total('RefreshSucceeded')).toBe(CONNECTIONS);
    expect(metrics.total('RefreshSkipped') + metrics.total('AlreadyRefreshed')).toBe(DUPLICATES);
    expect(metrics.total('RefreshFailed') + metrics.total('RefreshOrderFailed')).toBe(0);
  });

  it('leaves every connection at version 1 with its secret, and the queue empty', async () => {
    // Act
    const connections = await createAwsPorts(config, clients, { log: quietLog }).store.listAll();
    const secrets = await accessTokenSecrets();
    const queue = await queueDepth(resources.refreshQueueUrl);
    const deadLetters = await queueDepth(resources.refreshDeadLetterQueueUrl);

    // Assess
    expect(connections).toHaveLength(CONNECTIONS);
    expect(
      connections.filter((c) => c.version !== 1 || c.status !== 'active' || c.lease !== undefined),
    ).toEqual([]);
    expect(secrets).toBe(CONNECTIONS);
    expect(queue).toEqual({ waiting: 0, inFlight: 0, delayed: 0 });
    expect(deadLetters).toEqual({ waiting: 0, inFlight: 0, delayed: 0 });
  });

  it('queues nothing at the next planner run: every connection is due again in about 48 minutes', async () => {
    // Prepare
    const planner = createPlannerDependencies(config, {
      metrics: new CountingMetrics(),
      log: quietLog,
      clients,
      sqs: clients.sqs,
    });
    awsCalls.clear();

    // Act: everything due now or within the minute (what the deployed schedule plans is a part of it)
    const next = await createPlannerHandler(planner)({ sweep: 'all_due' });

    // Assess
    expect(next).toMatchObject({ planned: 0, overdue: 0, upcoming: 0, stuck: 0, notQueued: 0 });
    expect(awsCalls.get('SendMessageBatch') ?? 0).toBe(0);
    expect(await queueDepth(resources.refreshQueueUrl)).toEqual({ waiting: 0, inFlight: 0, delayed: 0 });
  });
});

/** `zoho-tokens add` for the fleet, in bulk: refresh tokens from the simulator, KMS-encrypted, due now. */
async function seedConnections(): Promise<void> {
  const ports = createAwsPorts(config, clients, { log: quietLog });
  const now = Date.now();
  const ids = Array.from({ length: CONNECTIONS }, (_, i) => `fleet-${String(i).padStart(4, '0')}`);
  const connections: Connection[] = new Array(ids.length);
  let next = 0;
  const encrypt = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      const connectionId = ids[i] as string;
      const refreshToken = sim.issueRefreshToken({ clientId: CLIENT_APP.clientId, dc: DC });
      refreshTokens.set(connectionId, refreshToken);
      connections[i] = newConnection(
        {
          connectionId,
          dc: DC,
          accountsServer: sim.accountsServer(DC),
          apiDomain: sim.apiDomain(DC),
          clientRef: CLIENT_APP.clientRef,
          encryptedRefreshToken: await ports.cipher.encrypt(connectionId, refreshToken),
        },
        now,
      );
    }
  };
  await Promise.all(Array.from({ length: 16 }, encrypt));
  for (let start = 0; start < connections.length; start += 25) {
    const output = await clients.dynamodb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [resources.tableName]: connections
            .slice(start, start + 25)
            .map((connection) => ({ PutRequest: { Item: toConnectionItem(connection) } })),
        },
      }),
    );
    expect(Object.keys(output.UnprocessedItems ?? {})).toEqual([]);
  }
}

/** SQS delivers a message twice now and then: sends `count` of the queued orders once more. */
async function deliverTwice(count: number): Promise<void> {
  const store = createAwsPorts(config, clients, { log: quietLog }).store;
  const ids = [...refreshTokens.keys()].slice(0, count);
  for (let start = 0; start < ids.length; start += 10) {
    const orders = await Promise.all(
      ids.slice(start, start + 10).map(async (connectionId) => {
        const snapshot = (await store.get(connectionId)) ?? expect.fail(`no connection ${connectionId}`);
        return { connectionId, dueAt: snapshot.refreshDueAt, snapshot };
      }),
    );
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: resources.refreshQueueUrl,
        Entries: orders.map((order, i) => ({ Id: String(i), MessageBody: encodeRefreshOrder(order) })),
      }),
    );
  }
}

/** Takes the queue target off the sandbox's refresher-events rule (see the file comment). */
async function dropSandboxEventsRule(): Promise<void> {
  const rule = { Rule: resources.names.eventsRuleName, EventBusName: resources.eventBusName };
  const { Targets = [] } = await clients.eventBridge.send(new ListTargetsByRuleCommand(rule));
  await clients.eventBridge.send(
    new RemoveTargetsCommand({ ...rule, Ids: Targets.map((target) => target.Id ?? '') }),
  );
}

async function accessTokenSecrets(): Promise<number> {
  let count = 0;
  let NextToken: string | undefined;
  do {
    const page = await clients.secretsManager.send(new ListSecretsCommand({ MaxResults: 100, NextToken }));
    count += (page.SecretList ?? []).filter((secret) => secret.Name?.endsWith('/access-token')).length;
    NextToken = page.NextToken;
  } while (NextToken);
  return count;
}

async function queueDepth(url: string) {
  const { Attributes = {} } = await clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    waiting: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed),
  };
}

/** Counts the commands a client sends, by name. */
function countCalls<I extends object, O extends object>(
  stack: MiddlewareStack<I, O>,
  calls: Map<string, number>,
): void {
  stack.add(
    (next, context) => async (args) => {
      const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'fleetTestCallCounter' },
  );
}
