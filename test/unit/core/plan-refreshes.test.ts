import { describe, expect, it } from 'vitest';
import { type Connection, newConnection } from '../../../functions/core/connection';
import {
  AFTER_LEASE_MS,
  afterLease,
  backlogAt,
  CATCH_UP_AGES,
  canWait,
  catchUpSlotOf,
  deliveryTimes,
  PLANNER_PERIOD_MS,
  plannedUntil,
  planRefreshes,
} from '../../../functions/core/plan-refreshes';
import { addConnection, createFakeWorld, type FakeWorld, RecordingQueue } from '../../support/fakes';

const P = PLANNER_PERIOD_MS;
const MIN = 60_000;

/** A world whose clock stands 5 s into a planner period, and a queue that records orders. */
function plannerWorld() {
  const world = createFakeWorld();
  const slotStart = Math.floor(world.clock.now() / P) * P;
  world.clock.current = slotStart + 5_000;
  const queue = new RecordingQueue();
  return { world, queue, deps: { ...world, queue }, slotStart };
}

/** A connection whose last refresh committed: its token expires margin + jitter after it falls due. */
const healthy = (world: FakeWorld, connectionId: string, refreshDueAt: number) =>
  addConnection(world, { connectionId, version: 3, refreshDueAt, expiresAt: refreshDueAt + 11 * MIN });

/** A connection retrying after failures: its token expires 90 s after the retry falls due. */
const retrying = (world: FakeWorld, connectionId: string, refreshDueAt: number) =>
  addConnection(world, {
    connectionId,
    version: 3,
    refreshDueAt,
    expiresAt: refreshDueAt + 90_000,
    consecutiveFailures: 3,
  });

/** `count` connections due from `slotStart` and not refreshed yet (queued, waiting for a worker). */
const backlog = async (world: FakeWorld, slotStart: number, count: number) => {
  for (let i = 0; i < count; i++) await retrying(world, `overdue-${i}`, slotStart + 1_000 + i);
};

const ids = (queue: RecordingQueue) => queue.orders.map((order) => order.connectionId).sort();

/** A connection for the pure functions: only its due time, expiry and lease matter to them. */
const sampleConnection = (changes: Partial<Connection>): Connection => ({
  ...newConnection(
    {
      connectionId: 'c',
      dc: 'us',
      accountsServer: 'https://accounts.zoho.com',
      apiDomain: 'https://www.zohoapis.com',
      clientRef: 'books',
      encryptedRefreshToken: 'x',
    },
    0,
  ),
  ...changes,
});

describe('planRefreshes (scheduled)', () => {
  it("queues the next period's due connections with their due time and snapshot, and nothing else", async () => {
    // Prepare
    const { world, queue, deps, slotStart } = plannerWorld();
    await healthy(world, 'rest-of-this-period', slotStart + 20_000);
    await healthy(world, 'next-period-first', slotStart + P);
    await healthy(world, 'next-period-last', slotStart + 2 * P - 1);
    await healthy(world, 'after-next-period', slotStart + 2 * P);

    // Act
    const summary = await planRefreshes(deps);

    // Assess
    expect(ids(queue)).toEqual(['next-period-first', 'next-period-last']);
    const first = queue.orders.find((order) => order.connectionId === 'next-period-first');
    expect(first).toEqual({
      connectionId: 'next-period-first',
      dueAt: slotStart + P,
      snapshot: world.store.items.get('next-period-first'),
    });
    expect(summary).toMatchObject({ planned: 2, upcoming: 2, overdue: 0, stuck: 0, notQueued: 0 });
    expect(plannedUntil(world.clock.now())).toBe(slotStart + 2 * P);
  });

  it('reads no more than four small ranges, never the whole fleet', async () => {
    // Prepare
    const { world, deps, slotStart } = plannerWorld();
    for (let i = 0; i < 50; i++) await healthy(world, `c-${i}`, slotStart + (i + 3) * MIN);

    // Act
    await planRefreshes(deps);

    // Assess
    expect(world.store.calls).toMatchObject({ listDue: 2, listRetrying: 1, listNeedingOperator: 1 });
    expect(world.store.calls.listAll).toBeUndefined();
  });

  it('queues a connection stuck overdue again once at each catch-up age, never while it may still be in flight', async () => {
    // Prepare: due at the start of a period, its token expiring 90 s later (it could not be held
    // back); its order is lost, so it stays due
    const { world, queue, deps, slotStart } = plannerWorld();
    await addConnection(world, {
      connectionId: 'stuck',
      version: 3,
      refreshDueAt: slotStart,
      expiresAt: slotStart + 90_000,
    });
    const queuedAtAge: number[] = [];

    // Act: a hundred planner runs, one a minute
    for (let age = 0; age < 100; age++) {
      world.clock.current = slotStart + age * P + 5_000;
      await planRefreshes(deps);
      if (queue.take().length > 0) queuedAtAge.push(age);
    }

    // Assess: once per age band (2, 4-5, 8-11, 16-23, 32-47, 64-95), counted from the period before
    // its due period (it is urgent: one minute lost, not two, when a planner run is)
    expect(queuedAtAge).toHaveLength(6);
    expect(queuedAtAge[0]).toBe(1);
    CATCH_UP_AGES.slice(0, 6).forEach((age, i) => {
      expect(queuedAtAge[i]).toBeGreaterThanOrEqual(age - 1);
      expect(queuedAtAge[i]).toBeLessThan(age - 1 + Math.max(1, age / 2));
    });
    expect(world.metrics.sum('RefreshesOverdue')).toBe(98);
  });

  it('starts the catch-up ages of an order that could have been held back after the longest hold (3 periods) while orders are held', async () => {
    // Prepare: a scheduled refresh (a whole margin before expiry) due at the start of a period; in
    // one world nothing else, in the other 300 urgent connections overdue at 1 write a second
    const calm = plannerWorld();
    const busy = plannerWorld();
    await healthy(calm.world, 'patient', calm.slotStart);
    await healthy(busy.world, 'patient', busy.slotStart);
    await backlog(busy.world, busy.slotStart - 5 * P, 300);
    const queuedAtAge = { calm: [] as number[], busy: [] as number[] };

    // Act
    for (let age = 0; age < 30; age++) {
      for (const [name, { world, queue, slotStart }] of [
        ['calm', calm],
        ['busy', busy],
      ] as const) {
        world.clock.current = slotStart + age * P + 5_000;
        await planRefreshes({ ...world, queue, secretWritesPerSecond: 1 });
        if (queue.take().some((order) => order.connectionId === 'patient')) queuedAtAge[name].push(age);
      }
    }

    // Assess: one in each age band (2, 4-5, 8-11, 16-23); while holding, counted 3 periods later
    expect(queuedAtAge.calm).toEqual([2, 4, 8, 16]);
    expect(queuedAtAge.busy).toEqual([5, 8, 12, 24]);
  });

  it('counts a refused order: no heartbeat, the metric, the summary', async () => {
    // Prepare
    const { world, queue, deps, slotStart } = plannerWorld();
    for (let i = 0; i < 5; i++) await healthy(world, `c-${i}`, slotStart + P + i);
    queue.refuse = 2;

    // Act
    const summary = await planRefreshes(deps);

    // Assess
    expect(summary).toMatchObject({ planned: 3, notQueued: 2 });
    expect(world.metrics.sum('RefreshOrdersNotQueued')).toBe(2);
    expect(world.metrics.sum('RefreshesPlanned')).toBe(3);
    expect(world.metrics.sum('PlannerHeartbeat')).toBe(0);
  });

  it('beats once per run that queued all it planned, an empty plan included', async () => {
    // Prepare
    const { world, queue, deps } = plannerWorld();

    // Act
    const summary = await planRefreshes(deps);

    // Assess
    expect(summary.planned).toBe(0);
    expect(queue.sends).toBe(0);
    expect(world.metrics.sum('PlannerHeartbeat')).toBe(1);
    expect(world.metrics.points.filter((p) => p.name === 'RefreshesPlanned')).toEqual([
      { name: 'RefreshesPlanned', value: 0 },
    ]);
  });

  it('queues at most maxOrders, the earliest due first', async () => {
    // Prepare
    const { world, queue, deps, slotStart } = plannerWorld();
    for (let i = 0; i < 5; i++) await healthy(world, `c-${i}`, slotStart + P + i * 1_000);

    // Act
    await planRefreshes(deps, { maxOrders: 3 });

    // Assess
    expect(queue.orders.map((order) => order.connectionId)).toEqual(['c-0', 'c-1', 'c-2']);
  });
});

describe('planRefreshes after a run that may have died', () => {
  it('queues an overdue connection again when its lease ended since the previous run, or, if it cannot wait, as its lease ends', async () => {
    // Prepare: now is 5 s into the period; overdue connections (due 2 s ago, too young for a
    // catch-up) with a lease left behind or still running
    const { world, queue, deps, slotStart } = plannerWorld();
    const now = world.clock.now();
    const overdue = (connectionId: string, expiresIn: number, leaseUntil?: number) =>
      addConnection(world, {
        connectionId,
        version: 3,
        refreshDueAt: now - 2_000,
        expiresAt: now + expiresIn,
        ...(leaseUntil !== undefined && { lease: { owner: 'run', until: leaseUntil } }),
      });
    await overdue('ended-since-last-run', 10 * MIN, now - 50_000);
    await overdue('ended-before-last-run', 10 * MIN, now - 70_000);
    await overdue('urgent-ends-before-next-run', 2 * MIN, now + 10_000);
    await overdue('patient-ends-before-next-run', 10 * MIN, now + 10_000);
    await overdue('urgent-ends-after-next-run', 2 * MIN, now + P);
    await overdue('no-lease', 2 * MIN);

    // Act
    const summary = await planRefreshes(deps);

    // Assess
    expect(queue.orders.map((order) => [order.connectionId, order.dueAt - slotStart])).toEqual([
      ['ended-since-last-run', 5_000],
      ['urgent-ends-before-next-run', 15_000 + AFTER_LEASE_MS],
    ]);
    expect(summary).toMatchObject({ planned: 2, overdue: 2, afterLease: 2, deferred: 0 });
  });
});

describe('afterLease', () => {
  const now = 10 * MIN;
  const margin = 11 * MIN;
  const connection = (expiresIn: number, until?: number): Connection =>
    sampleConnection({
      refreshDueAt: now - 1_000,
      expiresAt: now + expiresIn,
      ...(until !== undefined && { lease: { owner: 'run', until } }),
    });
  const urgent = (until?: number) => afterLease(connection(2 * MIN, until), now, margin);
  const patient = (until?: number) => afterLease(connection(11 * MIN, until), now, margin);

  it('looks again now after a lease that ended within the last period, whatever the token has left', () => {
    expect([now, now - 1_000, now - P].map(patient)).toEqual([now, now, now]);
    expect(urgent(now - P)).toBe(now);
  });

  it('looks again a second after a lease that ends before the next run, for a token that cannot wait', () => {
    expect(urgent(now + 1)).toBe(now + 1 + AFTER_LEASE_MS);
    expect(urgent(now + P - 1)).toBe(now + P - 1 + AFTER_LEASE_MS);
    expect(patient(now + 1)).toBeUndefined();
  });

  it('leaves a connection without a lease, or with one further away, to the catch-up', () => {
    expect(urgent()).toBeUndefined();
    expect(urgent(now + P)).toBeUndefined();
    expect(urgent(now - P - 1)).toBeUndefined();
  });
});

describe('planRefreshes while an overdue backlog drains', () => {
  it('delivers each order that can wait no sooner than the workers reach it behind the backlog and the urgent ones', async () => {
    // Prepare: 60 overdue connections and 1 urgent retry next period; 1 write a second counted on
    // for 57.6 a minute, 56.6 of them left to the orders that can wait. The workers get through 52.8
    // of the 60 in the 55 s before the next period: 8 are left ahead of it
    const { world, queue, slotStart } = plannerWorld();
    const deps = { ...world, queue, secretWritesPerSecond: 1 };
    await backlog(world, slotStart, 60);
    await healthy(world, 'first', slotStart + P);
    await healthy(world, 'second', slotStart + P + 1_000);
    await retrying(world, 'retry-near-expiry', slotStart + P + 20_000);
    await healthy(world, 'third', slotStart + P + 40_000);

    // Act
    const summary = await planRefreshes(deps);

    // Assess: first and second wait for the workers (8/56.6 and 9/56.6 of a minute into the next
    // period), the retry goes at its due time, third is due after the workers reach it
    expect(queue.orders.map((order) => [order.connectionId, order.dueAt - slotStart])).toEqual([
      ['first', 68_481],
      ['second', 69_541],
      ['retry-near-expiry', 80_000],
      ['third', 100_000],
    ]);
    expect(queue.orders[0]?.snapshot?.refreshDueAt).toBe(slotStart + P);
    expect(summary).toMatchObject({ planned: 4, upcoming: 4, overdue: 0, deferredMs: 8_541, deferred: 2 });
  });

  it('holds an order back at most a quarter of the margin, however deep the backlog', async () => {
    // Prepare: 300 overdue at 57.6 writes a minute: over 5 minutes of work; a quarter of 11½ minutes is 172.5 s
    const { world, queue, slotStart } = plannerWorld();
    const deps = { ...world, queue, secretWritesPerSecond: 1 };
    await backlog(world, slotStart, 300);
    await healthy(world, 'scheduled', slotStart + P);

    // Act
    const summary = await planRefreshes(deps);

    // Assess
    expect(queue.orders.map((order) => order.dueAt - slotStart)).toEqual([P + 172_500]);
    expect(summary).toMatchObject({ deferredMs: 172_500, deferred: 1 });
  });

  it('holds back nothing without a backlog, without a write rate, or for an operator', async () => {
    // Prepare: one run with no backlog; one without secretWritesPerSecond; one all_due
    const { world, queue, slotStart } = plannerWorld();
    await healthy(world, 'scheduled', slotStart + P + 5);

    // Act
    const noBacklog = await planRefreshes({ ...world, queue, secretWritesPerSecond: 40 });
    await backlog(world, slotStart, 80);
    const noRate = await planRefreshes({ ...world, queue });
    const operator = await planRefreshes({ ...world, queue, secretWritesPerSecond: 1 }, { mode: 'all_due' });

    // Assess
    expect([noBacklog, noRate, operator].map((s) => [s.deferredMs, s.deferred])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    const scheduled = queue.orders.filter((order) => order.connectionId === 'scheduled');
    expect(scheduled.map((order) => order.dueAt - slotStart)).toEqual([P + 5, P + 5, P + 5]);
  });
});

describe('planRefreshes in steady state near the write limit', () => {
  /** `count` connections due evenly over the rest of this period, and as many in the next. */
  const steadyFleet = async (world: FakeWorld, slotStart: number, perPeriod: number) => {
    const now = world.clock.now();
    const restOfPeriod = slotStart + P - now;
    for (let i = 0; i < perPeriod; i++) {
      await healthy(world, `now-${i}`, now + 1 + Math.floor((i * restOfPeriod) / perPeriod));
      await healthy(world, `next-${i}`, slotStart + P + Math.floor((i * P) / perPeriod));
    }
  };

  it("holds nothing back while the workers keep up with this period's orders, runs in progress included", async () => {
    // Prepare: 1 write a second, laid out at 0.96: 52.8 writes in the 55 s left of this period, and
    // this period has 45 orders; 20 more connections overdue are in a run (a live lease)
    const { world, queue, slotStart } = plannerWorld();
    await steadyFleet(world, slotStart, 45);
    for (let i = 0; i < 20; i++) {
      await addConnection(world, {
        connectionId: `running-${i}`,
        version: 3,
        refreshDueAt: world.clock.now() - 2_000,
        expiresAt: world.clock.now() + 10 * MIN,
        lease: { owner: 'worker', until: world.clock.now() + 25_000 },
      });
    }

    // Act
    const summary = await planRefreshes({ ...world, queue, secretWritesPerSecond: 1 });

    // Assess: the next period's 45 go at their due times
    const next = queue.orders.filter((order) => order.connectionId.startsWith('next-'));
    expect(next).toHaveLength(45);
    expect(next.every((order) => order.dueAt === order.snapshot?.refreshDueAt)).toBe(true);
    expect(summary).toMatchObject({ deferred: 0, deferredMs: 0 });
  });

  it("holds the next period's orders back behind what this period's leave over", async () => {
    // Prepare: this period has 80 orders, 27.2 more than the workers get through before the next
    // period starts; 57.6 a minute then, all for the orders that can wait
    const { world, queue, slotStart } = plannerWorld();
    await steadyFleet(world, slotStart, 80);

    // Act
    const summary = await planRefreshes({ ...world, queue, secretWritesPerSecond: 1 });

    // Assess: the first of the next period goes after the 28 left over: 28/57.6 of a minute, 29.17 s
    const first = queue.orders.find((order) => order.connectionId === 'next-0');
    expect(first?.dueAt).toBe(slotStart + P + 29_167);
    expect(summary.deferred).toBeGreaterThan(0);
  });
});

describe('catchUpSlotOf', () => {
  it('starts the ages of an order that could wait as many periods later as orders are held now, a quarter margin at most', () => {
    // Prepare: due 10 s into period 100; a token with a whole margin left, and one with 90 s
    const dueAt = 100 * P + 10_000;
    const patient = sampleConnection({ refreshDueAt: dueAt, expiresAt: dueAt + 11 * MIN });
    const urgent = sampleConnection({ refreshDueAt: dueAt, expiresAt: dueAt + 90_000 });
    const margin = 11 * MIN;

    // Act + Assess: holds of 0, 5 s, 61 s, 165 s and 10 minutes
    expect([0, 5_000, 61_000, 165_000, 10 * MIN].map((hold) => catchUpSlotOf(patient, margin, hold))).toEqual(
      [100, 101, 102, 103, 103],
    );
    expect(catchUpSlotOf(urgent, margin, 165_000)).toBe(99);
  });
});

describe('backlogAt', () => {
  it("counts what waits now and this period's orders, less what the workers get through until then", () => {
    // 40 writes a second laid out at 0.96: 38.4 a second, 2,112 in 55 s
    const input = { now: 0, waiting: 100, queuedBefore: 2_100, writesPerSecond: 40 };
    expect(backlogAt(55_000, input)).toBe(88);
    expect(backlogAt(55_000, { ...input, waiting: 0 })).toBe(0);
    expect(backlogAt(55_000, { ...input, writesPerSecond: undefined })).toBe(2_200);
  });
});

describe('canWait', () => {
  it('holds back only an order whose token has half a margin left after the longest hold', () => {
    // Prepare: a margin of 11 minutes: half of it (5.5 min) plus the longest hold (2.75 min)
    const due = 1_000_000;
    const falling = (leftMs: number) => sampleConnection({ refreshDueAt: due, expiresAt: due + leftMs });

    // Act
    const answers = [11 * MIN, 8.25 * MIN, 8.25 * MIN - 1, 90_000].map((left) =>
      canWait(falling(left), 11 * MIN),
    );

    // Assess
    expect(answers).toEqual([true, true, false, false]);
  });
});

describe('deliveryTimes', () => {
  const now = 1_000_000;
  // 40 writes a second, counted on for 96 %: 2,304 a minute (38.4 a second)
  const input = { from: now, ahead: 0, urgent: 0, writesPerSecond: 40, marginMs: 11 * MIN };

  it('lets the orders that can wait become visible no faster than the workers reach them', () => {
    // 384 ahead: the first one ten seconds from now, then one every 26 ms; the last is due later
    expect(deliveryTimes([now, now + 500, now + 15_000], { ...input, ahead: 384 })).toEqual([
      now + 10_000,
      now + 10_027,
      now + 15_000,
    ]);
  });

  it('keeps the urgent orders their share of the workers', () => {
    // 1,152 urgent a minute leave the others 19.2 a second: the first of them 20 s from now
    expect(deliveryTimes([now, now + 500, now + 25_000], { ...input, ahead: 384, urgent: 1_152 })).toEqual([
      now + 20_000,
      now + 20_053,
      now + 25_000,
    ]);
  });

  it('never moves an order more than a quarter of the margin, and moves none without a rate or a backlog', () => {
    expect(deliveryTimes([now], { ...input, ahead: 36 * 3_600 })).toEqual([now + 165_000]);
    expect(deliveryTimes([now], { ...input, urgent: 2_304 })).toEqual([now + 165_000]);
    expect(deliveryTimes([now], { ...input, ahead: 100, writesPerSecond: undefined })).toEqual([now]);
    expect(deliveryTimes([now, now + 10], input)).toEqual([now, now + 27]);
  });
});

describe('planRefreshes (all_due)', () => {
  it('queues everything due now or within the next period at once', async () => {
    // Prepare
    const { world, queue, deps, slotStart } = plannerWorld();
    const now = world.clock.now();
    await healthy(world, 'added-a-moment-ago', now);
    await healthy(world, 'due-in-30s', now + 30_000);
    await healthy(world, 'due-in-2-min', now + 2 * MIN);
    await healthy(world, 'long-overdue', slotStart - 7 * P);

    // Act
    const summary = await planRefreshes(deps, { mode: 'all_due' });

    // Assess
    expect(ids(queue)).toEqual(['added-a-moment-ago', 'due-in-30s', 'long-overdue']);
    expect(summary).toMatchObject({ planned: 3, overdue: 2, upcoming: 1, stuck: 1 });
  });
});

describe('the fleet gauges of a planner run', () => {
  it('counts expired tokens, failing and stranded connections exactly from the small reads', async () => {
    // Prepare
    const { world, deps, slotStart } = plannerWorld();
    const now = world.clock.now();
    await healthy(world, 'fine', slotStart + 30 * MIN);
    // Committed, then never refreshed: overdue by more than the margin, so expired.
    await healthy(world, 'expired-overdue', now - 12 * MIN);
    // Failing in backoff (due later) with an expired token: only the retry partition sees it.
    const lastError = { code: 'transient', message: 'Zoho 503', at: now - MIN };
    await addConnection(world, {
      connectionId: 'failing-expired',
      version: 2,
      expiresAt: now - 1,
      refreshDueAt: now + 8 * MIN,
      consecutiveFailures: 4,
      lastError,
    });
    await addConnection(world, {
      connectionId: 'failing-once',
      version: 2,
      expiresAt: now + 9 * MIN,
      refreshDueAt: now + 30_000,
      consecutiveFailures: 1,
      lastError,
    });
    await addConnection(world, { connectionId: 'reauth', status: 'reauthorization_required', lastError });
    await addConnection(world, { connectionId: 'broken', status: 'misconfigured', lastError });
    await addConnection(world, { connectionId: 'revoked', status: 'revoked', expiresAt: 0 });

    // Act
    const summary = await planRefreshes(deps);

    // Assess
    expect(summary).toMatchObject({ expired: 2, failing: 1 });
    const gauges = Object.fromEntries(world.metrics.points.map((p) => [p.name, p.value]));
    expect(gauges).toMatchObject({
      ExpiredTokens: 2,
      ConnectionsFailing: 1,
      ConnectionsNeedingReauthorization: 1,
      ConnectionsMisconfigured: 1,
      MinSecondsToExpiry: Math.round((now - 12 * MIN + 11 * MIN - now) / 1000),
    });
  });

  it('emits zeros for a healthy fleet, so an alarm goes back to OK', async () => {
    // Prepare
    const { world, deps, slotStart } = plannerWorld();
    await healthy(world, 'fine', slotStart + P + 1);

    // Act
    await planRefreshes(deps);

    // Assess
    const gauges = Object.fromEntries(world.metrics.points.map((p) => [p.name, p.value]));
    expect(gauges).toMatchObject({
      ExpiredTokens: 0,
      ConnectionsFailing: 0,
      ConnectionsNeedingReauthorization: 0,
      ConnectionsMisconfigured: 0,
      RefreshesOverdue: 0,
      MinSecondsToExpiry: Math.round((P + 1 + 11 * MIN - 5_000) / 1000),
    });
  });
});
