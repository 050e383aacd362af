import { describe, expect, it } from 'vitest';
import {
  budgetAvailableAt,
  DEFAULT_REFRESH_POLICY,
  nextAttemptAfterFailure,
  nextRefreshDue,
  retryBeforeExpiry,
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
    // Margin 11½ minutes, jitter up to ½ minute more.
    expect(nextRefreshDue(now + 3_600_000, now, policy)).toBe(now + 48.5 * 60_000);
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

  describe('retryBeforeExpiry: a whole run is kept for 90 s before expiry', () => {
    // Due when a 10-minute outage starts, 11 minutes before expiry: the last attempt is at 9.5 min.
    const due = now;
    const expiresAt = due + 11 * 60_000;
    const lastAttempt = due + 9.5 * 60_000;
    const run = (at: number) => [at, at + 400, at + 1_200];

    it('keeps the backoff while a run then still leaves three calls for the last attempt', () => {
      // Prepare: the first run failed three times at its due time.
      const calls = run(due);
      // Act
      const retryAt = retryBeforeExpiry(due + 1_200, due + 30_000, calls, expiresAt, policy);
      // Assess
      expect(retryAt).toBe(due + 30_000);
    });

    it('moves the third run to the last attempt', () => {
      // Prepare: two runs of three calls (6 of 9); a third would leave nothing for the last attempt.
      const calls = [...run(due), ...run(due + 30_000)];
      // Act
      const retryAt = retryBeforeExpiry(due + 31_200, due + 90_000, calls, expiresAt, policy);
      // Assess
      expect(retryAt).toBe(lastAttempt);
    });

    it('brings a long backoff forward to the last attempt', () => {
      const calls = run(due);
      expect(retryBeforeExpiry(due + 1_200, expiresAt + 60_000, calls, expiresAt, policy)).toBe(lastAttempt);
    });

    it('waits for the budget after the last attempt when the calls kept until then fill it', () => {
      // Prepare: late first attempt (a lost order): three runs inside the last attempt's window.
      const late = due + 2 * 60_000;
      const calls = [...run(late), ...run(late + 30_000), ...run(late + 90_000)];
      // Act
      const retryAt = retryBeforeExpiry(late + 91_200, late + 200_000, calls, expiresAt, policy);
      // Assess: the earliest call leaves the window one millisecond after its ten minutes.
      expect(retryAt).toBe(late + 600_001);
    });

    it('after a failed last attempt, tries again as soon as the first calls leave the window', () => {
      // Prepare: the last attempt failed inside the outage; the backoff (2 min) is past expiry.
      const calls = [...run(due), ...run(due + 30_000), ...run(lastAttempt)];
      // Act
      const retryAt = retryBeforeExpiry(lastAttempt + 1_200, lastAttempt + 120_000, calls, expiresAt, policy);
      // Assess: the first call of the first run leaves the window at 10 min (+1 ms).
      expect(retryAt).toBe(due + 600_001);
    });

    it('in the last stretch with budget to spare, pauses 10 s', () => {
      const calls = run(lastAttempt);
      expect(retryBeforeExpiry(lastAttempt + 1_200, lastAttempt + 60_000, calls, expiresAt, policy)).toBe(
        lastAttempt + 11_200,
      );
    });

    it('keeps the backoff when the budget frees only after expiry', () => {
      const late = due + 2 * 60_000;
      const calls = [...run(late), ...run(late + 30_000), ...run(lastAttempt)];
      expect(retryBeforeExpiry(lastAttempt + 1_200, lastAttempt + 120_000, calls, expiresAt, policy)).toBe(
        lastAttempt + 120_000,
      );
    });
  });
});
