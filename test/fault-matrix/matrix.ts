/**
 * One row of the fault matrix: a world with its connections, a fault armed, the faulted action, then
 * the fault cleared and the connection's next run. What the row saw is compared with what it expects,
 * and the invariants are checked after the action and after the next run.
 */
import type { Connection } from '../../functions/core/connection';
import { refreshConnection } from '../../functions/core/refresh-connection';
import type { RefreshDependencies } from '../../functions/core/refresh-deps';
import {
  createTokenRejectedHandler,
  type OnDemandResult,
} from '../../functions/on-demand-refresh/token-rejected-handler';
import { InvariantChecker } from './invariants';
import type { Cause } from './ledger';
import { createProofWorld, type ProofWorld } from './proof-world';
import type { SimulatedZoho } from './simulated-zoho';

export const MIN = 60_000;

export type Group =
  | 'Zoho'
  | 'DynamoDB'
  | 'Secrets Manager'
  | 'KMS'
  | 'EventBridge'
  | 'crash'
  | 'lease'
  | 'reports';

/** What a row saw, about its connection (`id`) unless said otherwise. */
export interface Seen {
  /** The faulted action's answer: `refreshed`, `skipped:<reason>`, `failed:<code>`, `threw:<error>`, counts of several. */
  readonly outcome: string;
  readonly status: string;
  readonly version: number;
  /** The version the access-token secret holds. */
  readonly secret: number | 'none';
  /** Zoho token requests the action sent (every connection). */
  readonly zoho: number;
  /** Secret versions the action created (every connection). */
  readonly versions: number;
  /** The version of a minted token kept on the connection for the next run. */
  readonly kept: number | 'none';
  /** Whether every other connection is exactly as before the action. */
  readonly others: 'unchanged' | 'changed';
  /** The next run once the fault is gone: its answer, the version after it, the Zoho calls it made. */
  readonly next: string;
}

export const SEEN_KEYS: readonly (keyof Seen)[] = [
  'outcome',
  'status',
  'version',
  'secret',
  'zoho',
  'versions',
  'kept',
  'others',
  'next',
];

export interface RowContext {
  readonly world: ProofWorld;
  readonly zoho: SimulatedZoho;
  /** The connection the row watches. */
  readonly id: string;
  deps(cause: Cause): RefreshDependencies;
  /** The on-demand function's handler, before middleware. */
  onDemand(event: unknown): Promise<OnDemandResult>;
}

export interface MatrixRow {
  readonly group: Group;
  /** What is injected, and where. */
  readonly fault: string;
  readonly expected: Partial<Seen>;
  /**
   * The change that brings the expected behaviour (a branch not merged yet, or a fix still to make):
   * the row runs and is printed, and fails once it meets its expectation, so the mark goes when the
   * change lands.
   */
  readonly awaiting?: string;
  /** The watched connection. @default 'acme' */
  readonly id?: string;
  /** Registers the connections. @default one connection at version 3, due now */
  readonly setup?: (ctx: RowContext) => Promise<unknown>;
  readonly arm: (ctx: RowContext) => unknown;
  /** @default a scheduled refresh of the connection */
  readonly act?: (ctx: RowContext) => Promise<unknown>;
  /** Runs with the fault gone. @default a scheduled refresh as soon as the connection may run again */
  readonly next?: (ctx: RowContext) => Promise<unknown>;
}

export interface RowResult {
  readonly row: MatrixRow;
  readonly seen: Seen;
  readonly violations: readonly string[];
  /** Every expected key has the expected value. */
  readonly meetsExpectation: boolean;
}

/** A connection at version 3 whose token expires in 14 minutes: due for its scheduled refresh now. */
export async function addDueConnection(ctx: RowContext, id = ctx.id): Promise<Connection> {
  const now = ctx.world.fakes.clock.now();
  return ctx.world.addConnection(
    {
      connectionId: id,
      accountsServer: ctx.zoho.accountsServer,
      apiDomain: ctx.zoho.apiDomain,
      version: 3,
      refreshedAt: now - 46 * MIN,
      expiresAt: now + 14 * MIN,
      refreshDueAt: now - 1,
    },
    ctx.zoho.issueRefreshToken(),
  );
}

/**
 * As addDueConnection, but its last attempt failed (a transient error): the run reads the secret
 * first and records its Zoho call in a write of its own (after a clean commit the lease write
 * records it).
 */
export async function addDueAfterFailure(ctx: RowContext, id = ctx.id): Promise<Connection> {
  const now = ctx.world.fakes.clock.now();
  return ctx.world.addConnection(
    {
      connectionId: id,
      accountsServer: ctx.zoho.accountsServer,
      apiDomain: ctx.zoho.apiDomain,
      version: 3,
      refreshedAt: now - 46 * MIN,
      expiresAt: now + 14 * MIN,
      refreshDueAt: now - 1,
      consecutiveFailures: 1,
      lastError: { code: 'transient', message: 'Zoho call failed transiently: 503', at: now - MIN },
    },
    ctx.zoho.issueRefreshToken(),
  );
}

/** A connection whose token of version 3 was minted a minute ago: nothing is due. */
export async function addFreshConnection(ctx: RowContext, id = ctx.id): Promise<Connection> {
  const now = ctx.world.fakes.clock.now();
  return ctx.world.addConnection(
    {
      connectionId: id,
      accountsServer: ctx.zoho.accountsServer,
      apiDomain: ctx.zoho.apiDomain,
      version: 3,
      refreshedAt: now - MIN,
      expiresAt: now + 59 * MIN,
      refreshDueAt: now + 44 * MIN,
    },
    ctx.zoho.issueRefreshToken(),
  );
}

export const scheduled = (ctx: RowContext, id = ctx.id) =>
  refreshConnection(ctx.deps('scheduled'), { connectionId: id, trigger: 'scheduled' });

/** Moves the clock to when the connection may run again (its due time, its lease's end), never back. */
export function untilRunnable(ctx: RowContext, id = ctx.id): void {
  const clock = ctx.world.fakes.clock;
  const connection = ctx.world.fakes.store.items.get(id);
  clock.current = Math.max(clock.current, connection?.refreshDueAt ?? 0, connection?.lease?.until ?? 0);
}

/** The answer of an action, or the error it threw (as a crashed or failed Lambda invocation would). */
async function settle(action: Promise<unknown>): Promise<unknown> {
  try {
    return await action;
  } catch (error) {
    return error;
  }
}

/** `refreshed`, `skipped:<reason>`, `failed:<code>`, `threw:<name>`; several answers as sorted counts. */
export function describeOutcome(answer: unknown): string {
  if (Array.isArray(answer)) {
    const counts = new Map<string, number>();
    for (const one of answer.map(describeOutcome)) counts.set(one, (counts.get(one) ?? 0) + 1);
    return [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, count]) => `${name}×${count}`)
      .join(' ');
  }
  if (answer instanceof Error) return `threw:${answer.name}`;
  const result = answer as { outcome?: string; reason?: string; errorCode?: string };
  if (result.outcome === 'skipped') return `skipped:${result.reason}`;
  if (result.outcome === 'failed') return `failed:${result.errorCode}`;
  return result.outcome ?? 'nothing';
}

function contextFor(world: ProofWorld, zoho: SimulatedZoho, id: string): RowContext {
  const handler = createTokenRejectedHandler(world.deps('on_demand'));
  return { world, zoho, id, deps: world.deps, onDemand: handler };
}

const othersOf = (world: ProofWorld, id: string) =>
  JSON.stringify([...world.fakes.store.items.values()].filter((c) => c.connectionId !== id));

/** Runs one row in a world of its own. */
export async function runRow(row: MatrixRow, zoho: SimulatedZoho): Promise<RowResult> {
  // Prepare
  const world = createProofWorld({ zoho: zoho.adapter });
  zoho.reset(world.fakes.clock.now);
  const ctx = contextFor(world, zoho, row.id ?? 'acme');
  await (row.setup ?? addDueConnection)(ctx);
  const checker = new InvariantChecker(world);
  const violations = [...checker.check()];
  const others = othersOf(world, ctx.id);
  await row.arm(ctx);

  // Act
  const before = { zoho: world.ledger.zohoCalls.length, versions: world.ledger.versions.length };
  const answer = await settle((row.act ?? scheduled)(ctx));
  const after = world.fakes.store.items.get(ctx.id);
  const acted = {
    outcome: describeOutcome(answer),
    status: after?.status ?? 'none',
    version: after?.version ?? 0,
    secret: world.fakes.vault.versions.get(ctx.id)?.at(-1)?.version ?? ('none' as const),
    zoho: world.ledger.zohoCalls.length - before.zoho,
    versions: world.ledger.versions.length - before.versions,
    kept: after?.keptToken?.version ?? ('none' as const),
    others: othersOf(world, ctx.id) === others ? ('unchanged' as const) : ('changed' as const),
  };
  violations.push(...checker.check([answer]));

  // The fault goes; the next invocation is a new process.
  world.faults.clear();
  zoho.clearFaults();
  const calls = world.ledger.zohoCalls.length;
  const nextAnswer = await settle(
    row.next?.(ctx) ??
      (async () => {
        untilRunnable(ctx);
        return scheduled(ctx);
      })(),
  );
  const version = world.fakes.store.items.get(ctx.id)?.version ?? 0;
  const next = `${describeOutcome(nextAnswer)} v${version} +${world.ledger.zohoCalls.length - calls} zoho`;
  violations.push(...checker.check([nextAnswer]));

  // Assess (by the caller)
  const seen: Seen = { ...acted, next };
  const meetsExpectation = SEEN_KEYS.every(
    (key) => row.expected[key] === undefined || row.expected[key] === seen[key],
  );
  return { row, seen, violations: [...new Set(violations)], meetsExpectation };
}

/** The table `fault → expected → seen`, Markdown, one line per row. */
export function formatTable(results: readonly RowResult[]): string {
  const show = (values: Partial<Seen>, keys: readonly (keyof Seen)[]) =>
    keys.map((key) => `${key}=${values[key]}`).join(' ');
  const lines = results.map(({ row, seen, violations, meetsExpectation }) => {
    const keys = SEEN_KEYS.filter((key) => row.expected[key] !== undefined);
    const verdict = row.awaiting
      ? `awaiting ${row.awaiting}`
      : meetsExpectation && violations.length === 0
        ? 'ok'
        : 'FAIL';
    const broken = violations.length > 0 ? ` BROKEN: ${violations.join('; ')}` : '';
    return `| ${row.group} | ${row.fault} | ${show(row.expected, keys)} | ${show(seen, keys)}${broken} | ${verdict} |`;
  });
  return ['| group | fault | expected | seen | |', '|---|---|---|---|---|', ...lines].join('\n');
}
