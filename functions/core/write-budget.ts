import type { EpochMillis } from './connection';
import type { RefreshTrigger } from './ports';
import type { RefreshPolicy } from './refresh-policy';

/** The secret writes that still count at `now` (the last day), oldest first. */
export function writesInDay(
  writes: readonly EpochMillis[],
  now: EpochMillis,
  policy: Pick<RefreshPolicy, 'writeBudgetDayMs'>,
): EpochMillis[] {
  return writes.filter((at) => at > now - policy.writeBudgetDayMs).sort((a, b) => a - b);
}

/**
 * When a refresh by `trigger` may write the secret again, or `now` if it may already. The schedule
 * is bound only by the day's limit; reports and operators also by their hourly and daily share, so
 * whatever they do, the schedule keeps the writes it needs.
 */
export function secretWriteAvailableAt(
  writes: readonly EpochMillis[],
  trigger: RefreshTrigger,
  now: EpochMillis,
  policy: RefreshPolicy,
): EpochMillis {
  const day = writesInDay(writes, now, policy);
  const limits: Array<{ count: number; windowMs: number }> = [
    { count: policy.secretWritesPerDay, windowMs: policy.writeBudgetDayMs },
  ];
  if (trigger !== 'scheduled') {
    limits.push(
      { count: policy.unscheduledWritesPerDay, windowMs: policy.writeBudgetDayMs },
      { count: policy.unscheduledWritesPerHour, windowMs: policy.writeBudgetHourMs },
    );
  }
  let availableAt = now;
  for (const { count, windowMs } of limits) {
    const inWindow = day.filter((at) => at > now - windowMs);
    if (inWindow.length < count) continue;
    // The write that must leave the window before another fits.
    const blocking = inWindow[inWindow.length - count] ?? now;
    availableAt = Math.max(availableAt, blocking + windowMs + 1);
  }
  return availableAt;
}
