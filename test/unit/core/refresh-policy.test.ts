import { describe, expect, it } from 'vitest';
import {
  budgetAvailableAt,
  DEFAULT_REFRESH_POLICY,
  nextAttemptAfterFailure,
  nextRefreshDue,
} from '../../../functions/core/refresh-policy';

const policy = { ...DEFAULT_REFRESH_POLICY, random: () => 0 };
const now = 1_000_000_000;

describe('refresh policy', () => {
  it('the budget allows 9 calls per 10 minutes, never the 10th', () => {
    const eight = Array.from({ length: 8 }, (_, i) => now - i * 1000);
    const nine = [...eight, now - 9000];
    expect(budgetAvailableAt(eight, now, policy)).toBe(now);
    expect(budgetAvailableAt(nine, now, policy)).toBe(now - 9000 + 600_001);
    expect(budgetAvailableAt(nine, now + 600_000, policy)).toBe(now + 600_000);
  });

  it('schedules the next refresh margin + jitter before expiry, or at half life for short tokens', () => {
    // Margin 11 minutes, jitter up to 1 minute more.
    expect(nextRefreshDue(now + 3_600_000, now, policy)).toBe(now + 49 * 60_000);
    expect(nextRefreshDue(now + 3_600_000, now, { ...policy, random: () => 0.999999 })).toBe(
      now + 48 * 60_000 + 1,
    );
    expect(nextRefreshDue(now + 60_000, now, policy)).toBe(now + 30_000);
  });

  it('backs off exponentially after transient failures, capped at 10 minutes', () => {
    const at = (failures: number) =>
      nextAttemptAfterFailure(failures, now, { ...policy, random: () => 0.5 }) - now;
    expect([at(1), at(2), at(3), at(10)]).toEqual([30_000, 60_000, 120_000, 600_000]);
  });
});
