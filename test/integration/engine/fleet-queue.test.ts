/**
 * The scheduled path end to end on the emulator: planner → SQS refresh queue (moto) → the refresh
 * worker's handler, delivered as Lambda's event source would (batches of ten, partial batch
 * responses, failed messages visible again after the visibility timeout, dead-lettered after the
 * queue's receive limit). Shows that duplicates are harmless and a poison connection never blocks
 * the others.
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlannerDependencies, createWorkerDependencies } from '../../../functions/aws/fleet-wiring';
import { decodeRefreshOrder } from '../../../functions/aws/refresh-order-codec';
import { PLANNER_PERIOD_MS, planRefreshes } from '../../../functions/core/plan-refreshes';
import type { ConnectionStore } from '../../../functions/core/ports';
import { createRefreshWorkerHandler } from '../../../functions/refresh-worker/refresh-worker-handler';
import { useEngineWorld } from './world';

const world = useEngineWorld();

/** Receives before a message is dead-lettered (the stack's is 5; 2 keeps the test short). */
const MAX_RECEIVES = 2;

let queueUrl = '';
let deadLetterUrl = '';
let queues = 0;

// A queue pair per test (SQS allows one purge a minute).
beforeEach(async () => {
  const { sqs } = world().clients;
  queues += 1;
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `engine-refresh-dlq-${queues}` }));
  deadLetterUrl = dlq.QueueUrl ?? expect.fail('no DLQ URL');
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `engine-refresh-${queues}`,
      Attributes: {
        // One second, so a failed message comes back within the test.
        VisibilityTimeout: '1',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVES }),
      },
    }),
  );
  queueUrl = queue.QueueUrl ?? expect.fail('no queue URL');
});

afterEach(async () => {
  const w = world();
  w.sim.faults.clear();
  for (const id of await w.scheduledIds()) await w.ports.store.setStatus(id, 'disabled');
});

/** The store, with `acquireLease` replaced (its other methods stay bound to the real store). */
function withAcquireLease(
  real: ConnectionStore,
  acquireLease: ConnectionStore['acquireLease'],
): ConnectionStore {
  return new Proxy(real, {
    get(target, property) {
      if (property === 'acquireLease') return acquireLease;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The planner and the worker handler as the deployed functions build them, on the emulator's queue. */
function fleet(options: { store?: ConnectionStore } = {}) {
  const w = world();
  const config = { ...w.config, refreshQueueUrl: queueUrl };
  const ports = { ...w.ports, ...(options.store && { store: options.store }) };
  const wiring = { metrics: w.metrics, log: w.log, clock: w.clock, ports, sqs: w.clients.sqs };
  const planner = createPlannerDependencies(config, wiring);
  const worker = createRefreshWorkerHandler(createWorkerDependencies(config, wiring), { concurrency: 10 });
  return { planner, worker };
}

/** What the event source delivered, message by message (connection ids, in delivery order). */
interface Deliveries {
  readonly delivered: string[];
  readonly failed: string[];
}

/**
 * Delivers the queue to `worker` as Lambda's event source would, until nothing is left in it
 * (visible, in flight or delayed): a message the handler reports as failed is not deleted and comes
 * back after the visibility timeout, up to the receive limit.
 */
async function drain(worker: (event: SQSEvent) => Promise<SQSBatchResponse>): Promise<Deliveries> {
  const { sqs } = world().clients;
  const deliveries: Deliveries = { delivered: [], failed: [] };
  for (let round = 0; round < 40; round++) {
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) {
      if (await empty(queueUrl)) return deliveries;
      await new Promise((resolve) => setTimeout(resolve, 300));
      continue;
    }
    const records = messages.map(
      (message) =>
        ({
          messageId: message.MessageId,
          receiptHandle: message.ReceiptHandle,
          body: message.Body,
        }) as SQSRecord,
    );
    const response = await worker({ Records: records });
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    for (const record of records) {
      const { connectionId } = decodeRefreshOrder(record.body);
      deliveries.delivered.push(connectionId);
      if (failed.has(record.messageId)) deliveries.failed.push(connectionId);
    }
    const done = records.filter((record) => !failed.has(record.messageId));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((record, i) => ({ Id: String(i), ReceiptHandle: record.receiptHandle })),
        }),
      );
    }
  }
  throw new Error('the refresh queue did not drain');
}

async function empty(url: string): Promise<boolean> {
  const { Attributes } = await world().clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return Object.values(Attributes ?? {}).every((count) => count === '0');
}

async function deadLetters(): Promise<string[]> {
  const received = await world().clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: deadLetterUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  return (received.Messages ?? []).map((message) => decodeRefreshOrder(message.Body ?? '').connectionId);
}

describe('planner → SQS → refresh workers', () => {
  it('refreshes each due connection exactly once, then plans nothing', async () => {
    // Prepare: five connections, due now (just added)
    const w = world();
    const ids = ['fq-1', 'fq-2', 'fq-3', 'fq-4', 'fq-5'];
    const tokens = [];
    for (const id of ids) tokens.push((await w.addConnection(id)).refreshToken);
    const { planner, worker } = fleet();

    // Act
    const plan = await planRefreshes(planner, { mode: 'all_due' });
    const deliveries = await drain(worker);
    const again = await planRefreshes(planner, { mode: 'scheduled' });

    // Assess
    expect(plan).toMatchObject({ planned: 5, notQueued: 0 });
    expect(deliveries.delivered.sort()).toEqual(ids);
    expect(deliveries.failed).toEqual([]);
    expect(tokens.map((token) => w.sim.calls.tokenCallsFor(token))).toEqual([1, 1, 1, 1, 1]);
    for (const id of ids) expect((await w.ports.store.get(id))?.version).toBe(1);
    expect(again.planned).toBe(0);
    expect(await deadLetters()).toEqual([]);
  });

  it('makes one Zoho call for an order SQS delivers twice (the lease makes the duplicate a skip)', async () => {
    // Prepare: the same order queued twice, as at-least-once delivery may hand it over
    const w = world();
    const { refreshToken } = await w.addConnection('fq-dup');
    const { planner, worker } = fleet();
    await planRefreshes(planner, { mode: 'all_due' });
    await planRefreshes(planner, { mode: 'all_due' });
    const skippedBefore = w.metrics.sum('RefreshSkipped');

    // Act
    const deliveries = await drain(worker);

    // Assess
    expect(deliveries.delivered).toEqual(['fq-dup', 'fq-dup']);
    expect(deliveries.failed).toEqual([]);
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    expect((await w.ports.store.get('fq-dup'))?.version).toBe(1);
    expect((await w.readSecret('fq-dup'))?.versionCount).toBe(1);
    expect(w.metrics.sum('RefreshSkipped') - skippedBefore).toBe(1);
  });

  it('dead-letters a poison connection after the receive limit while the others are refreshed; a classified failure is no batch failure', async () => {
    // Prepare: one connection whose item the table refuses to lease (it throws), one whose refresh
    // token Zoho has revoked (a classified, permanent failure), two healthy ones
    const w = world();
    const healthy = ['fq-ok-1', 'fq-ok-2'];
    for (const id of healthy) await w.addConnection(id);
    await w.addConnection('fq-poison');
    const { refreshToken: revoked } = await w.addConnection('fq-revoked');
    w.sim.revokeRefreshToken(revoked);
    const real = w.ports.store;
    const poisoned = withAcquireLease(real, (seen, lease, now, marks) => {
      if (seen.connectionId === 'fq-poison') throw new TypeError('the item cannot be leased');
      return real.acquireLease(seen, lease, now, marks);
    });
    const { planner, worker } = fleet({ store: poisoned });

    // Act
    await planRefreshes(planner, { mode: 'all_due' });
    const deliveries = await drain(worker);

    // Assess: the poison order failed every delivery and sits in the dead-letter queue, alone
    expect(deliveries.failed).toEqual(Array(MAX_RECEIVES).fill('fq-poison'));
    expect(deliveries.delivered.filter((id) => id === 'fq-revoked')).toEqual(['fq-revoked']);
    expect(await deadLetters()).toEqual(['fq-poison']);
    for (const id of healthy) expect((await w.ports.store.get(id))?.version).toBe(1);
    expect(await w.ports.store.get('fq-revoked')).toMatchObject({
      status: 'reauthorization_required',
      lastError: { code: 'reauthorization_required' },
    });
    expect(w.metrics.sum('RefreshOrderFailed', 'TypeError')).toBe(MAX_RECEIVES);
  });

  it('holds an order back until its connection is due (the scheduled planner queues the next minute)', async () => {
    // Prepare: the planner runs 58 s into a minute; the connection falls due 3 s later, in the next one
    const w = world();
    const { connection } = await w.addConnection('fq-later');
    const nextMinute = (Math.floor(w.clock.now() / PLANNER_PERIOD_MS) + 1) * PLANNER_PERIOD_MS;
    w.clock.current = nextMinute - 2_000;
    await w.ports.store.setStatus('fq-later', 'active', { refreshDueAt: nextMinute + 1_000 });
    const { planner, worker } = fleet();
    expect(connection.version).toBe(0);

    // Act
    const plan = await planRefreshes(planner, { mode: 'scheduled' });
    const early = await world().clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    w.clock.current = nextMinute + 1_000;
    const deliveries = await drain(worker);

    // Assess: not visible at once (DelaySeconds 3), delivered once due, refreshed
    expect(plan).toMatchObject({ planned: 1, upcoming: 1 });
    expect(early.Messages ?? []).toEqual([]);
    expect(deliveries.delivered).toEqual(['fq-later']);
    expect((await w.ports.store.get('fq-later'))?.version).toBe(1);
  });
});
