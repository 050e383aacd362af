/**
 * Outcomes many rows share, named once: the fault left everything as it was, the next run heals it,
 * a minted token was kept for the next run, the connection left the schedule.
 */
import type { FaultPlan } from './faults';
import type { MatrixRow, RowContext, Seen } from './matrix';

/** Nothing changed: still version 3, in the secret too, no version written, nothing kept. */
export const UNTOUCHED = { status: 'active', version: 3, secret: 3, versions: 0, kept: 'none' } as const;

/** The next run (fault gone) refreshes with one Zoho call. */
export const HEALED = 'refreshed v4 +1 zoho';

/** The connection is off the schedule: its next run does nothing. */
export const OFF_SCHEDULE = 'skipped:not_active v3 +0 zoho';

/** Zoho answered, the secret was not written, the token is kept: the next run stores it without Zoho. */
export const keptFor = (code: string): Partial<Seen> => ({
  outcome: `failed:${code}`,
  status: 'active',
  version: 3,
  secret: 3,
  zoho: 1,
  versions: 0,
  kept: 4,
  next: 'adopted v4 +0 zoho',
});

/** A row whose fault is armed on the world's fault plan. */
export const planRow = (
  group: MatrixRow['group'],
  fault: string,
  arm: (plan: FaultPlan, ctx: RowContext) => void,
  expected: Partial<Seen>,
  more: Partial<MatrixRow> = {},
): MatrixRow => ({ group, fault, expected, arm: (ctx) => arm(ctx.world.faults, ctx), ...more });
