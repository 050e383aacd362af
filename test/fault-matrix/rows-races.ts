/**
 * Races: leases that run out mid-refresh, a revoke racing a refresh, a permission-only 401 from many
 * containers, and reports for a connection from anyone but its own consumer.
 */
import { revokeConnection } from '../../functions/core/revoke-connection';
import { addFreshConnection, type MatrixRow, MIN, type RowContext, type Seen, scheduled } from './matrix';
import { forgedEvent, reportEvent } from './report-events';

/** The secret of version 4 was written by a run that lost its lease before its commit. */
const writtenNotCommitted = { status: 'active', version: 3, secret: 4, zoho: 1, versions: 1 } as const;

/** An operator's revoke that starts while the refresh is between Zoho's answer and the secret write. */
function revokeDuringRefresh(): MatrixRow {
  let revoking: Promise<unknown> = Promise.resolve();
  return {
    group: 'lease',
    fault: 'operator revoke arrives while a refresh holds the lease',
    expected: {
      outcome: 'refreshed×1 revoked×1',
      status: 'revoked',
      version: 4,
      secret: 'none',
      zoho: 1,
      versions: 1,
      next: 'skipped:not_active v4 +0 zoho',
    },
    arm: (ctx) =>
      ctx.world.faults.before('vault', 'write', () => {
        revoking = revokeConnection(ctx.deps('revoke'), ctx.id);
      }),
    act: async (ctx) => {
      const refreshed = await scheduled(ctx);
      return [refreshed, await revoking];
    },
  };
}

export const LEASE_ROWS: readonly MatrixRow[] = [
  {
    group: 'lease',
    fault: 'operator revoke waits on a refresh about to write its secret (revoke awaited inside the write)',
    expected: {
      outcome: 'refreshed×1 threw:ConnectionBusyError×1',
      status: 'active',
      version: 4,
      secret: 4,
      zoho: 1,
      versions: 1,
      next: 'revoked v4 +0 zoho',
    },
    arm: () => undefined,
    act: async (ctx) => {
      const revoked: unknown[] = [];
      ctx.world.faults.before('vault', 'write', () =>
        revokeConnection(ctx.deps('revoke'), ctx.id).then(
          (answer) => void revoked.push(answer),
          (error) => void revoked.push(error),
        ),
      );
      return [await scheduled(ctx), ...revoked];
    },
    // The operator runs the revoke again, as the busy error says.
    next: (ctx) => revokeConnection(ctx.deps('revoke'), ctx.id),
  },
  {
    group: 'lease',
    fault: 'Zoho answers after the lease ran out; a report refreshed meanwhile',
    expected: {
      outcome: 'skipped:lease_lost',
      status: 'active',
      version: 4,
      secret: 4,
      zoho: 2,
      versions: 1,
      kept: 'none',
      next: 'refreshed v5 +1 zoho',
    },
    arm: (ctx) =>
      ctx.world.faults.before('zoho', 'refreshAccessToken', async () => {
        ctx.world.fakes.clock.advance(MIN + 1_000);
        await ctx.onDemand(await reportEvent({ connectionId: ctx.id, version: 3, status: 401 }));
      }),
  },
  {
    group: 'lease',
    fault: 'the secret write outlives the lease',
    expected: { outcome: 'skipped:lease_lost', ...writtenNotCommitted, next: 'adopted v4 +0 zoho' },
    arm: (ctx) => ctx.world.faults.before('vault', 'write', () => ctx.world.fakes.clock.advance(MIN + 1_000)),
  },
  revokeDuringRefresh(),
];

const REPORTS = 100;
/** The event of the i-th report. */
type ReportOf = (i: number, ctx: RowContext) => Promise<unknown>;
/** The version of `id` a consumer reading the secret now would hold. */
const currentVersion = (ctx: RowContext, id: string) => ctx.world.fakes.store.items.get(id)?.version ?? 0;

/** 100 reports, one every 6 seconds: one window of the fresh-report rule. */
async function reportsOverTenMinutes(ctx: RowContext, event: ReportOf) {
  const answers: unknown[] = [];
  for (let i = 0; i < REPORTS; i++) {
    answers.push(await ctx.onDemand(await event(i, ctx)));
    ctx.world.fakes.clock.advance(6_000);
  }
  return answers;
}

const twoFreshConnections = async (ctx: RowContext) => {
  await addFreshConnection(ctx, 'a');
  await addFreshConnection(ctx, 'b');
};

const forged = (fault: string, expected: Partial<Seen>, event: ReportOf, awaiting?: string): MatrixRow => ({
  group: 'reports',
  fault,
  id: 'b',
  expected,
  ...(awaiting && { awaiting }),
  setup: twoFreshConnections,
  arm: () => undefined,
  act: (ctx) => reportsOverTenMinutes(ctx, event),
});

export const REPORT_ROWS: readonly MatrixRow[] = [
  {
    group: 'reports',
    fault: 'permission-only 401: 50 containers at once, then one report every 10 s for 9 minutes',
    expected: { status: 'active', version: 4, secret: 4, zoho: 1, versions: 1, next: 'refreshed v5 +1 zoho' },
    setup: (ctx) => addFreshConnection(ctx),
    arm: () => undefined,
    act: async (ctx) => {
      const report = async () =>
        ctx.onDemand(
          await reportEvent({
            connectionId: ctx.id,
            version: currentVersion(ctx, ctx.id),
            status: 401,
            code: 57,
          }),
        );
      const first = await Promise.all(Array.from({ length: 50 }, report));
      const later: unknown[] = [];
      for (let i = 0; i < 50; i++) {
        ctx.world.fakes.clock.advance(10_000);
        later.push(await report());
      }
      return [...first, ...later];
    },
    // The next window: a genuine eviction still heals.
    next: async (ctx) => {
      const connection = ctx.world.fakes.store.items.get(ctx.id);
      ctx.world.fakes.clock.current = (connection?.freshReportRefreshAt ?? 0) + 10 * MIN;
      const version = connection?.version ?? 0;
      return ctx.onDemand(await reportEvent({ connectionId: ctx.id, version, status: 401, code: 57 }));
    },
  },
  forged(
    "reports naming b from a consumer granted only a (a's source)",
    { outcome: `rejected×${REPORTS}`, version: 3, secret: 3, zoho: 0, versions: 0, others: 'unchanged' },
    () => forgedEvent('a', 'b', 3),
  ),
  forged(
    "b's own consumer reports its fresh version 100 times: one refresh, a untouched",
    { version: 4, secret: 4, zoho: 1, versions: 1, others: 'unchanged' },
    (_, ctx) => reportEvent({ connectionId: 'b', version: currentVersion(ctx, 'b'), status: 401, code: 57 }),
  ),
  forged(
    'reports of b versions never issued (4 to 103)',
    { outcome: `rejected×${REPORTS}`, version: 3, secret: 3, zoho: 0, versions: 0, others: 'unchanged' },
    (i) => reportEvent({ connectionId: 'b', version: 4 + i, status: 401 }),
  ),
  forged(
    'reports of stale b versions (0 to 2)',
    {
      outcome: `skipped:already_refreshed×${REPORTS}`,
      version: 3,
      secret: 3,
      zoho: 0,
      versions: 0,
      others: 'unchanged',
    },
    (i) => reportEvent({ connectionId: 'b', version: i % 3, status: 401 }),
  ),
];
