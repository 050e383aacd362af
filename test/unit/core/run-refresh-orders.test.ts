import { describe, expect, it } from 'vitest';
import type { Connection } from '../../../functions/core/connection';
import { ReauthorizationRequiredError, ZohoTransientError } from '../../../functions/core/errors';
import type { RefreshOrder } from '../../../functions/core/ports';
import {
  ORDER_RETRY_PAUSE_MS,
  type OrderDelivery,
  runRefreshOrders,
  type WorkerDependencies,
} from '../../../functions/core/run-refresh-orders';
import { addConnection, createFakeWorld, RecordingQueue } from '../../support/fakes';

const MIN = 60_000;

function workerWorld() {
  const world = createFakeWorld();
  const queue = new RecordingQueue();
  const deps: WorkerDependencies = { ...world, queue };
  return { world, queue, deps };
}

/** A due connection after a clean commit, and the order the planner would send for it. */
async function dueOrder(
  world: ReturnType<typeof createFakeWorld>,
  connectionId: string,
): Promise<RefreshOrder> {
  const now = world.clock.now();
  const snapshot: Connection = await addConnection(world, {
    connectionId,
    version: 2,
    refreshDueAt: now,
    expiresAt: now + 11 * MIN,
  });
  return { connectionId, dueAt: now, snapshot };
}

const delivered = (order: RefreshOrder, deliveryId = `m-${order.connectionId}`): OrderDelivery => ({
  deliveryId,
  order,
});

describe('runRefreshOrders', () => {
  it('refreshes each order once; the same order delivered twice (SQS at-least-once) makes one Zoho call', async () => {
    // Prepare
    const { world, deps } = workerWorld();
    const order = await dueOrder(world, 'acme');
    const other = await dueOrder(world, 'globex');

    // Act: one batch with the duplicate side by side, then the duplicate again later
    const first = await runRefreshOrders(
      deps,
      [delivered(order, 'm-1'), delivered(order, 'm-2'), delivered(other)],
      { concurrency: 3 },
    );
    const again = await runRefreshOrders(deps, [delivered(order, 'm-3')], { concurrency: 1 });

    // Assess
    expect(world.zoho.refreshCalls).toBe(2);
    expect(world.vault.writes).toBe(2);
    expect(world.store.items.get('acme')?.version).toBe(3);
    expect([...first, ...again].every((outcome) => outcome.kind === 'done')).toBe(true);
    const acme = [...first, ...again].filter((outcome) => outcome.connectionId === 'acme');
    expect(acme.map((outcome) => outcome.kind === 'done' && outcome.result.outcome).sort()).toEqual([
      'refreshed',
      'skipped',
      'skipped',
    ]);
  });

  it('hands back only the order that threw; the others of the batch are refreshed', async () => {
    // Prepare: the table refuses every write to one connection (a poison item)
    const { world, deps } = workerWorld();
    const orders = [await dueOrder(world, 'a'), await dueOrder(world, 'poison'), await dueOrder(world, 'b')];
    const acquire = world.store.acquireLease.bind(world.store);
    world.store.acquireLease = async (seen, lease, now, marks) => {
      if (seen.connectionId === 'poison') throw new TypeError('unreadable item');
      return acquire(seen, lease, now, marks);
    };

    // Act
    const outcomes = await runRefreshOrders(
      deps,
      orders.map((order) => delivered(order)),
      {
        concurrency: 2,
      },
    );

    // Assess
    expect(outcomes.map((outcome) => [outcome.deliveryId, outcome.kind])).toEqual([
      ['m-a', 'done'],
      ['m-poison', 'retry'],
      ['m-b', 'done'],
    ]);
    expect(outcomes[1]).toMatchObject({ errorName: 'TypeError' });
    expect(world.zoho.refreshCalls).toBe(2);
    expect(world.metrics.sum('RefreshOrderFailed', 'TypeError')).toBe(1);
  });

  it('tries an order that threw once more a second later, reading the connection afresh', async () => {
    // Prepare: the table's first lease write fails (an AWS fault the SDK gave up on), the next works
    const { world, deps } = workerWorld();
    const order = await dueOrder(world, 'acme');
    const acquire = world.store.acquireLease.bind(world.store);
    let faults = 1;
    world.store.acquireLease = async (seen, lease, now, marks) => {
      if (faults-- > 0) throw Object.assign(new Error('internal error'), { name: 'InternalServerError' });
      return acquire(seen, lease, now, marks);
    };
    const before = world.clock.now();

    // Act
    const [outcome] = await runRefreshOrders(deps, [delivered(order)], { concurrency: 1 });

    // Assess
    expect(outcome).toMatchObject({ kind: 'done', result: { outcome: 'refreshed' } });
    expect(world.zoho.refreshCalls).toBe(1);
    expect(world.store.items.get('acme')?.version).toBe(3);
    expect(world.clock.now() - before).toBeGreaterThanOrEqual(ORDER_RETRY_PAUSE_MS);
    expect(world.store.calls.get).toBe(1);
    expect(world.metrics.sum('RefreshOrderFailed')).toBe(0);
  });

  it('treats a classified failure as done: recorded by the core, never delivered again', async () => {
    // Prepare
    const { world, queue, deps } = workerWorld();
    const order = await dueOrder(world, 'acme');
    world.zoho.script.push(new ReauthorizationRequiredError('invalid_code'));

    // Act
    const [outcome] = await runRefreshOrders(deps, [delivered(order)], { concurrency: 1 });

    // Assess
    expect(outcome).toMatchObject({
      kind: 'done',
      result: { outcome: 'failed', errorCode: 'reauthorization_required', permanent: true },
    });
    expect(world.store.items.get('acme')?.status).toBe('reauthorization_required');
    expect(queue.orders).toEqual([]);
  });

  it('answers done for a connection that no longer exists', async () => {
    // Prepare
    const { deps } = workerWorld();

    // Act
    const [outcome] = await runRefreshOrders(deps, [delivered({ connectionId: 'gone', dueAt: 0 })], {
      concurrency: 1,
    });

    // Assess
    expect(outcome).toEqual({
      kind: 'done',
      deliveryId: 'm-gone',
      connectionId: 'gone',
      result: { outcome: 'gone' },
    });
  });

  it('queues a retry the planner has already planned past, with its due time and no snapshot', async () => {
    // Prepare: Zoho fails transiently three times (one run's attempts)
    const { world, queue, deps } = workerWorld();
    const order = await dueOrder(world, 'acme');
    for (let i = 0; i < 3; i++) world.zoho.script.push(new ZohoTransientError('503'));

    // Act
    const [outcome] = await runRefreshOrders(deps, [delivered(order)], { concurrency: 1 });

    // Assess
    const retryAt = world.store.items.get('acme')?.refreshDueAt;
    expect(outcome).toMatchObject({ kind: 'done', result: { outcome: 'failed', retryAt } });
    expect(queue.orders).toEqual([{ connectionId: 'acme', dueAt: retryAt }]);
  });

  it('leaves a refresh due in 50 minutes to the planner, and queues one due within its horizon', async () => {
    // Prepare: one hour-long token, one 60-second token (due at half its life)
    const { world, queue, deps } = workerWorld();
    const hour = await dueOrder(world, 'hour');
    await runRefreshOrders(deps, [delivered(hour)], { concurrency: 1 });
    const minute = await dueOrder(world, 'minute');
    world.zoho.lifetimeSeconds = 60;

    // Act
    await runRefreshOrders(deps, [delivered(minute)], { concurrency: 1 });

    // Assess
    expect(queue.orders).toEqual([
      { connectionId: 'minute', dueAt: world.store.items.get('minute')?.refreshDueAt },
    ]);
  });

  it('queues an order delivered before its due time once again, then leaves it to the planner', async () => {
    // Prepare: the planner saw it due in 40 s
    const { world, queue, deps } = workerWorld();
    const now = world.clock.now();
    const snapshot = await addConnection(world, {
      connectionId: 'acme',
      refreshDueAt: now + 40_000,
      expiresAt: now + 12 * MIN,
    });

    // Act
    const [early] = await runRefreshOrders(
      deps,
      [delivered({ connectionId: 'acme', dueAt: snapshot.refreshDueAt, snapshot })],
      { concurrency: 1 },
    );
    const requeued = queue.take();
    const [earlyAgain] = await runRefreshOrders(
      deps,
      requeued.map((order) => delivered(order)),
      {
        concurrency: 1,
      },
    );

    // Assess
    expect(early).toMatchObject({ kind: 'done', result: { outcome: 'skipped', reason: 'not_due' } });
    expect(requeued).toEqual([{ connectionId: 'acme', dueAt: now + 40_000 }]);
    expect(earlyAgain).toMatchObject({ kind: 'done', result: { outcome: 'skipped', reason: 'not_due' } });
    expect(queue.orders).toEqual([]);
    expect(world.zoho.refreshCalls).toBe(0);
  });
});

describe('runRefreshOrders with a write interval', () => {
  it("gives each batch a pacer of its own: its first write waits one interval after the batch starts, whatever the container's last write", async () => {
    // Prepare: two worker containers (A, B) of one world, writes 500 ms apart; the times of the writes
    const { world, queue } = workerWorld();
    const writtenAt: number[] = [];
    const vault = {
      read: (id: string) => world.vault.read(id),
      remove: (id: string) => world.vault.remove(id),
      write: async (token: Parameters<typeof world.vault.write>[0]) => {
        writtenAt.push(world.clock.now());
        return world.vault.write(token);
      },
    };
    const containerA: WorkerDependencies = { ...world, vault, queue, writeIntervalMs: 500 };
    const containerB: WorkerDependencies = { ...world, vault, queue, writeIntervalMs: 500 };
    const t0 = world.clock.now();
    const first = await dueOrder(world, 'first');

    // Act: B runs a batch; 10 s later A runs two orders, and B takes the next batch as A ends
    await runRefreshOrders(containerB, [delivered(first)], { concurrency: 1 });
    world.clock.advance(10_000);
    const t1 = world.clock.now();
    const second = await dueOrder(world, 'second');
    const third = await dueOrder(world, 'third');
    const fourth = await dueOrder(world, 'fourth');
    await runRefreshOrders(containerA, [delivered(second), delivered(third)], { concurrency: 1 });
    const aEnded = world.clock.now();
    await runRefreshOrders(containerB, [delivered(fourth)], { concurrency: 1 });

    // Assess: every write one interval after the batch start or the write before; B's second batch
    // writes one interval after A's last write, not at once
    expect(writtenAt.map((at) => at - t0)).toEqual([500, t1 - t0 + 500, t1 - t0 + 1_000, t1 - t0 + 1_500]);
    expect(aEnded - t0).toBe(t1 - t0 + 1_000);
    expect(world.zoho.refreshCalls).toBe(4);
  });
});
