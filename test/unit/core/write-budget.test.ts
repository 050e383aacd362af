import { describe, expect, it } from 'vitest';
import { DEFAULT_REFRESH_POLICY } from '../../../functions/core/refresh-policy';
import { secretWriteAvailableAt, writesInDay } from '../../../functions/core/write-budget';

const NOW = Date.UTC(2026, 10, 26, 8, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const policy = DEFAULT_REFRESH_POLICY;

/** `count` writes spread evenly over the `spanMs` before now, the newest one minute ago. */
const writes = (count: number, spanMs: number) =>
  Array.from({ length: count }, (_, i) => NOW - MIN - Math.floor((i * spanMs) / count));

describe('the secret write budget', () => {
  it('forgets writes older than a day', () => {
    expect(writesInDay([NOW - 25 * HOUR, NOW - 23 * HOUR, NOW - MIN], NOW, policy)).toEqual([
      NOW - 23 * HOUR,
      NOW - MIN,
    ]);
  });

  it('lets reports and operators write 6 times an hour, then waits for the oldest to leave the hour', () => {
    const five = writes(5, 50 * MIN);
    expect(secretWriteAvailableAt(five, 'on_demand', NOW, policy)).toBe(NOW);

    const six = writes(6, 50 * MIN);
    const oldest = Math.min(...six);
    expect(secretWriteAvailableAt(six, 'on_demand', NOW, policy)).toBe(oldest + HOUR + 1);
    expect(secretWriteAvailableAt(six, 'operator', NOW, policy)).toBe(oldest + HOUR + 1);
  });

  it('does not hold the schedule to the hourly share', () => {
    expect(secretWriteAvailableAt(writes(6, 50 * MIN), 'scheduled', NOW, policy)).toBe(NOW);
  });

  it('stops reports at 40 writes a day, leaving the schedule the 32 it needs', () => {
    const forty = writes(40, 20 * HOUR);
    expect(secretWriteAvailableAt(forty, 'on_demand', NOW, policy)).toBeGreaterThan(NOW);
    expect(secretWriteAvailableAt(forty, 'scheduled', NOW, policy)).toBe(NOW);
    expect(secretWriteAvailableAt(writes(39, 20 * HOUR), 'on_demand', NOW, policy)).toBe(NOW);
  });

  it('stops every trigger at 72 writes a day, until the oldest is a day old', () => {
    const day = writes(72, 23 * HOUR);
    const oldest = Math.min(...day);
    expect(secretWriteAvailableAt(day, 'scheduled', NOW, policy)).toBe(oldest + 24 * HOUR + 1);
    expect(secretWriteAvailableAt(writes(71, 23 * HOUR), 'scheduled', NOW, policy)).toBe(NOW);
  });
});
