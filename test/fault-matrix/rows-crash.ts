/**
 * Crashes between any two writes: after the lease, after the budget record, after Zoho's answer,
 * after the secret write, after the commit. A crash before the secret write costs at most the minted
 * token (the next run mints again); after it, the next run adopts the secret without calling Zoho.
 */
import { InternalServerError } from '@aws-sdk/client-dynamodb';
import { refreshConnection } from '../../functions/core/refresh-connection';
import { DEFAULT_REFRESH_POLICY } from '../../functions/core/refresh-policy';
import { HEALED, UNTOUCHED } from './expectations';
import type { PortName } from './faults';
import {
  addDueAfterFailure,
  addFreshConnection,
  type MatrixRow,
  MIN,
  type RowContext,
  type Seen,
  untilRunnable,
} from './matrix';
import { reportEvent } from './report-events';

const crash = (
  point: string,
  port: PortName,
  method: string,
  expected: Partial<Seen>,
  more: Partial<MatrixRow> = {},
): MatrixRow => ({
  group: 'crash',
  fault: `crash ${point}`,
  expected: { outcome: 'threw:ProcessCrash', ...expected },
  arm: ({ world }) => world.faults.crashAfter(port, method),
  ...more,
});

/** The secret of version 4 was written by a run that died before its commit. */
const writtenNotCommitted = { status: 'active', version: 3, secret: 4, zoho: 1, versions: 1 } as const;

const operatorRefresh = (ctx: RowContext) =>
  refreshConnection(ctx.deps('operator'), { connectionId: ctx.id, trigger: 'operator', force: true });

/**
 * A run writes version 4 and its commit fails; a consumer that read version 4 reports it, so the next
 * run mints 5 instead of adopting 4; then an operator refreshes once a minute. Reports and operators
 * may make 6 versions an hour: 4 must count among them.
 */
const orphanedVersionCounts: MatrixRow = {
  group: 'crash',
  fault:
    'commit fails after the write, the written version is reported, then operator refreshes every minute',
  expected: { status: 'active', versions: DEFAULT_REFRESH_POLICY.unscheduledWritesPerHour },
  setup: (ctx) => addFreshConnection(ctx),
  arm: ({ world }) =>
    world.faults.fail(
      'store',
      'commitRefresh',
      () => new InternalServerError({ message: 'Internal', $metadata: {} }),
    ),
  act: async (ctx) => {
    const clock = ctx.world.fakes.clock;
    const answers: unknown[] = [await operatorRefresh(ctx)];
    clock.advance(MIN);
    answers.push(await ctx.onDemand(await reportEvent({ connectionId: ctx.id, version: 4, status: 401 })));
    for (let i = 0; i < 6; i++) {
      clock.advance(MIN);
      answers.push(await operatorRefresh(ctx));
    }
    return answers;
  },
};

export const CRASH_ROWS: readonly MatrixRow[] = [
  // After a clean commit the lease write records the run's Zoho call too: the call counts though
  // it was never sent.
  crash('after the lease (and the Zoho call it recorded) was taken', 'store', 'acquireLease', {
    ...UNTOUCHED,
    zoho: 0,
    next: HEALED,
  }),
  crash(
    'after the Zoho call was recorded, before it was sent (after a failure: a write of its own)',
    'store',
    'recordZohoCall',
    { ...UNTOUCHED, zoho: 0, next: HEALED },
    { setup: (ctx) => addDueAfterFailure(ctx) },
  ),
  // The minted token lived only in the dead process: the next run must mint another.
  crash('after Zoho answered, before the secret write', 'zoho', 'refreshAccessToken', {
    ...UNTOUCHED,
    zoho: 1,
    next: HEALED,
  }),
  crash('after the secret write, before the commit', 'vault', 'write', {
    ...writtenNotCommitted,
    next: 'adopted v4 +0 zoho',
  }),
  crash(
    'after the secret write, then a consumer reports the written version',
    'vault',
    'write',
    { ...writtenNotCommitted, next: 'refreshed v5 +1 zoho' },
    {
      next: async (ctx) => {
        untilRunnable(ctx);
        return ctx.onDemand(await reportEvent({ connectionId: ctx.id, version: 4, status: 401, code: 57 }));
      },
    },
  ),
  orphanedVersionCounts,
  crash('after the commit, before history and event', 'store', 'commitRefresh', {
    status: 'active',
    version: 4,
    secret: 4,
    zoho: 1,
    versions: 1,
    next: 'refreshed v5 +1 zoho',
  }),
];
