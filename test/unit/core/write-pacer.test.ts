import { describe, expect, it } from 'vitest';
import { SecretWriteThrottledError } from '../../../functions/core/errors';
import { refreshConnection } from '../../../functions/core/refresh-connection';
import { createWritePacer, workerConcurrencyFor, writeIntervalMs } from '../../../functions/core/write-pacer';
import { addConnection, createFakeWorld, FakeClock } from '../../support/fakes';

/** A clock that records when each sleeper would wake, without moving time. */
class RecordingClock extends FakeClock {
  readonly wakeAt: number[] = [];
  override sleep = async (ms: number) => {
    this.wakeAt.push(this.current + ms);
  };
}

describe('the write limiter arithmetic', () => {
  it.each([
    [1, 2, 2_000],
    [20, 10, 500],
    [45, 23, 512],
  ])('%i writes per second: %i workers, each writing at most every %i ms', (perSecond, workers, interval) => {
    // Act
    const concurrency = workerConcurrencyFor(perSecond);

    // Assess: together the workers never exceed the limit
    expect(concurrency).toBe(workers);
    expect(writeIntervalMs(perSecond, concurrency)).toBe(interval);
    expect((concurrency * 1000) / writeIntervalMs(perSecond, concurrency)).toBeLessThanOrEqual(perSecond);
  });
});

describe('createWritePacer', () => {
  it('gives the first slot one interval after it is asked for and spaces the next ones by the interval, in the order asked', async () => {
    // Prepare
    const clock = new RecordingClock();
    const pacer = createWritePacer(clock, 500);
    const start = clock.now();

    // Act: five writers ask at the same moment
    await Promise.all(Array.from({ length: 5 }, () => pacer.acquire()));

    // Assess: the first waits one interval (a container it replaces may have just written), the others 500 ms apart
    expect(clock.wakeAt.map((at) => at - start)).toEqual([500, 1_000, 1_500, 2_000, 2_500]);
  });

  it('does not wait when the last slot is further back than the interval', async () => {
    // Prepare: the first slot, at 500 ms; then 1.3 s pass
    const clock = new RecordingClock();
    const pacer = createWritePacer(clock, 500);
    const start = clock.now();
    await pacer.acquire();
    clock.advance(1_300);

    // Act
    await pacer.acquire();

    // Assess: only the first slot was waited for
    expect(clock.wakeAt.map((at) => at - start)).toEqual([500]);
  });
});

describe('pacing inside the refresh', () => {
  it('takes one slot per secret write attempt, a retried write included, and none for a skipped refresh', async () => {
    // Prepare: the first write is throttled, the second lands
    const world = createFakeWorld();
    const acquired: string[] = [];
    const paced = { ...world, writePacer: { acquire: async () => void acquired.push('slot') } };
    await addConnection(world, { connectionId: 'acme', refreshDueAt: world.clock.now() });
    await addConnection(world, { connectionId: 'later', refreshDueAt: world.clock.now() + 60_000 });
    world.vault.writeFaults.push(new SecretWriteThrottledError('acme'));

    // Act
    const refreshed = await refreshConnection(paced, { connectionId: 'acme', trigger: 'scheduled' });
    const skipped = await refreshConnection(paced, { connectionId: 'later', trigger: 'scheduled' });

    // Assess
    expect(refreshed).toMatchObject({ outcome: 'refreshed' });
    expect(skipped).toMatchObject({ outcome: 'skipped', reason: 'not_due' });
    expect(world.vault.writes).toBe(2);
    expect(acquired).toEqual(['slot', 'slot']);
  });
});
