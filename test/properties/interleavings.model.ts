/**
 * The model a fleet is held to, beyond the invariants: what each action may answer, which
 * connections it may spend Zoho calls and secret versions on, and that once the faults stop every
 * active connection serves an unexpired token again within a day.
 */
import type { Connection } from '../../functions/core/connection';
import { ConnectionChangedError } from '../../functions/core/errors';
import { ConnectionBusyError } from '../../functions/core/revoke-connection';
import { isInjected } from '../fault-matrix/faults';
import { type Action, IDS, type Id } from './interleavings.actions';
import { connectionOf, type Fleet, perform } from './interleavings.fleet';

const HOUR = 60 * 60_000;
/** After the faults stop, every active connection serves an unexpired token again within this. */
export const HEALING_MS = 26 * HOUR;

/**
 * What the model allows an answer to be: anything but an error, unless the error was injected (a
 * store fault or a crash, which Lambda retries) or is a revoke's own refusal to race (busy, changed).
 */
export function unexpectedErrors(answers: readonly unknown[]): string[] {
  return answers
    .filter((answer) => answer instanceof Error)
    .filter((error) => !isInjected(error))
    .filter((error) => !(error instanceof ConnectionBusyError || error instanceof ConnectionChangedError))
    .map((error) => `${(error as Error).name}: ${(error as Error).message}`);
}

/**
 * Model rules for one top-level action: a report of a version never issued, or of one older than the
 * connection's, costs no Zoho call and no secret version; nothing but `enable` spends either on a
 * connection that was not active before the action.
 */
export function spentWhereNotAllowed(
  fleet: Fleet,
  action: Action,
  before: ReadonlyMap<Id, Connection | undefined>,
  since: { zoho: number; versions: number },
): string[] {
  const { ledger } = fleet.world;
  const calls = ledger.zohoCalls.slice(since.zoho);
  const versions = ledger.versions.slice(since.versions);
  const spentOn = (id: string) =>
    calls.some((c) => c.connectionId === id) || versions.some((v) => v.connectionId === id);
  const broken: string[] = [];
  for (const id of IDS) {
    const connection = before.get(id);
    if (connection && connection.status !== 'active' && action.kind !== 'enable' && spentOn(id)) {
      broken.push(`${id}: Zoho call or secret version while ${connection.status}`);
    }
  }
  if (action.kind === 'report' && action.version === 'unissued' && spentOn(action.id)) {
    broken.push(`${action.id}: a report of a version never issued cost a Zoho call or a version`);
  }
  return broken;
}

const healthy = (fleet: Fleet, connection: Connection, now: number): boolean =>
  (fleet.world.fakes.vault.versions.get(connection.connectionId)?.at(-1)?.expiresAt ?? 0) > now;

/**
 * With every fault gone, sweeps run whenever a connection may run again; within HEALING_MS every
 * active connection must serve an unexpired token. Returns what is still broken (empty when healed),
 * checking the invariants after every sweep.
 */
export async function heal(fleet: Fleet): Promise<string[]> {
  const { world } = fleet;
  const clock = world.fakes.clock;
  world.faults.clear();
  world.fakes.zoho.script.length = 0;
  const deadline = clock.now() + HEALING_MS;
  while (clock.now() <= deadline) {
    const active = [...world.fakes.store.items.values()].filter((c) => c.status === 'active');
    if (active.every((c) => healthy(fleet, c, clock.now()))) return [];
    const wake = Math.min(...active.map((c) => Math.max(c.refreshDueAt, c.lease?.until ?? 0)));
    clock.current = Math.max(clock.current + 1_000, wake);
    const answers = await perform(fleet, { kind: 'sweep' });
    const broken = [...fleet.checker.check(answers), ...unexpectedErrors(answers)];
    if (broken.length > 0) return broken;
  }
  const stuck = [...world.fakes.store.items.values()].filter(
    (c) => c.status === 'active' && !healthy(fleet, c, clock.now()),
  );
  return stuck.map(
    (c) =>
      `${c.connectionId}: no unexpired token ${HEALING_MS / HOUR} h after the faults stopped (${describeState(c)})`,
  );
}

/** The state that explains a connection's schedule, without any ciphertext. */
function describeState(c: Connection): string {
  return JSON.stringify({
    status: c.status,
    version: c.version,
    expiresAt: new Date(c.expiresAt).toISOString(),
    refreshDueAt: new Date(c.refreshDueAt).toISOString(),
    lastError: c.lastError?.code,
    lease: c.lease,
    secretWritesToday: c.recentSecretWrites.length,
    keptVersion: c.keptToken?.version,
  });
}

/** Connections as they are now, for the before/after rules. */
export const snapshot = (fleet: Fleet): Map<Id, Connection | undefined> =>
  new Map(IDS.map((id) => [id, connectionOf(fleet, id)]));
