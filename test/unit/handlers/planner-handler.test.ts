import { describe, expect, it } from 'vitest';
import { PLANNER_PERIOD_MS } from '../../../functions/core/plan-refreshes';
import { createPlannerHandler } from '../../../functions/planner/planner-handler';
import { addConnection, createFakeWorld, RecordingQueue } from '../../support/fakes';

describe('planner handler', () => {
  it('runs one planner run per schedule event and answers its summary', async () => {
    // Prepare: one connection due in the next period
    const w = createFakeWorld();
    const queue = new RecordingQueue();
    const next = (Math.floor(w.clock.now() / PLANNER_PERIOD_MS) + 1) * PLANNER_PERIOD_MS;
    await addConnection(w, { connectionId: 'acme', refreshDueAt: next + 1_000 });

    // Act
    const summary = await createPlannerHandler({ ...w, queue })({});

    // Assess
    expect(summary).toMatchObject({ planned: 1, upcoming: 1, notQueued: 0 });
    expect(queue.orders.map((order) => order.connectionId)).toEqual(['acme']);
    expect(w.metrics.sum('PlannerHeartbeat')).toBe(1);
  });

  it("plans every connection due now on the CLI's sweep request, which the schedule leaves to its catch-up", async () => {
    // Prepare: due a moment ago in the current period, so the schedule's next-period run does not take it
    const w = createFakeWorld();
    w.clock.advance(5_000);
    await addConnection(w, { connectionId: 'acme', refreshDueAt: w.clock.now() - 1_000 });
    const scheduledQueue = new RecordingQueue();
    const sweepQueue = new RecordingQueue();

    // Act
    const scheduled = await createPlannerHandler({ ...w, queue: scheduledQueue })({});
    const swept = await createPlannerHandler({ ...w, queue: sweepQueue })({ sweep: 'all_due' });

    // Assess
    expect(scheduled).toMatchObject({ planned: 0 });
    expect(swept).toMatchObject({ planned: 1, overdue: 1 });
    expect(sweepQueue.orders.map((order) => order.connectionId)).toEqual(['acme']);
  });
});
