/**
 * The fleet simulation's clock and agenda (test/bench/fleet): events fire in (time, insertion)
 * order, an actor sees the instant of its event across any number of awaits, and timers of one
 * delay cost one clock event at a time.
 */
import { describe, expect, it } from 'vitest';
import { EventHeap } from '../../bench/fleet/event-heap';
import { FifoTimers } from '../../bench/fleet/fifo-timers';
import { SimRandom } from '../../bench/fleet/random';
import { VirtualTime } from '../../bench/fleet/virtual-time';

const START = Date.UTC(2026, 11, 1);

describe('EventHeap', () => {
  it('pops 10,000 random events in time order, events of one time in the order pushed', () => {
    // Prepare
    const heap = new EventHeap<number>();
    const random = new SimRandom(7);
    const pushed = Array.from({ length: 10_000 }, (_, order) => ({ time: random.index(500), order }));
    for (const event of pushed) heap.push(event.time, event.order);

    // Act
    const popped: number[] = [];
    for (let item = heap.pop(); item !== undefined; item = heap.pop()) popped.push(item);

    // Assess
    const expected = [...pushed].sort((a, b) => a.time - b.time || a.order - b.order).map((e) => e.order);
    expect(popped).toEqual(expected);
    expect(heap.size).toBe(0);
  });
});

describe('VirtualTime', () => {
  it('lets each actor see the instant of its own event however many awaits it makes', async () => {
    // Prepare: two actors that wait, then read the clock after many promise hops.
    const time = new VirtualTime(START);
    const seen: Array<[string, number]> = [];
    const actor = async (name: string, waitMs: number, hops: number) => {
      await time.delay(waitMs);
      for (let i = 0; i < hops; i++) await Promise.resolve();
      seen.push([name, time.now() - START]);
      await time.delay(waitMs);
      seen.push([name, time.now() - START]);
    };
    void actor('slow', 30, 500);
    void actor('fast', 20, 0);

    // Act
    const stats = await time.run(START + 1_000);

    // Assess: exact instants, and the clock left at the end.
    expect(seen).toEqual([
      ['fast', 20],
      ['slow', 30],
      ['fast', 40],
      ['slow', 60],
    ]);
    expect(stats).toEqual({ events: 4, instants: 4 });
    expect(time.now()).toBe(START + 1_000);
  });

  it('gives whole milliseconds, as Date.now() does', async () => {
    // Prepare
    const time = new VirtualTime(START);
    let seen = 0;
    time.after(2.7, () => {
      seen = time.now();
    });

    // Act
    await time.run(START + 10);

    // Assess
    expect(seen).toBe(START + 2);
  });

  it('stops with the error of a failed simulation', async () => {
    // Prepare
    const time = new VirtualTime(START);
    time.after(5, () => time.fail(new Error('broken world')));
    time.after(10, () => {});

    // Act / Assess
    await expect(time.run(START + 100)).rejects.toThrow('broken world');
  });
});

describe('FifoTimers', () => {
  it('fires the live timers in order and skips the moot ones, one clock event at a time', async () => {
    // Prepare: timers 10 ms apart, every other one moot by the time it comes due.
    const time = new VirtualTime(START);
    const fired: number[] = [];
    const moot = new Set<number>();
    const timers = new FifoTimers<number>(
      time,
      (item) => fired.push(item),
      (item) => moot.has(item),
    );
    for (let item = 0; item < 6; item++) timers.set(START + 100 + item * 10, item);
    for (const item of [1, 3, 5]) moot.add(item);

    // Act
    const stats = await time.run(START + 1_000);

    // Assess: three live timers, three clock events (the moot ones cost none).
    expect(fired).toEqual([0, 2, 4]);
    expect(stats.events).toBe(3);
  });
});
