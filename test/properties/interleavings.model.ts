/**
 * A fleet of two connections on the real core and in-memory ports, driven by generated actions, and
 * the model it is held to: what each action may answer, which connections it may spend Zoho calls
 * and secret versions on, and that once the faults stop every active connection serves an unexpired
 * token again within a day.
 */

import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import {
  EventPublishError,
  RefreshTokenCipherError,
  RefreshTokenKeyUnavailableError,
} from '../../functions/aws/errors';
import type { Connection } from '../../functions/core/connection';
import {
  ConnectionChangedError,
  MisconfiguredClientError,
  ReauthorizationRequiredError,
  SecretAccessDeniedError,
  SecretPendingDeletionError,
  SecretVersionQuotaError,
  SecretWriteFailedError,
  SecretWriteThrottledError,
  type TokenVaultWriteError,
  ZohoMalformedResponseError,
  ZohoThrottledError,
  ZohoTransientError,
} from '../../functions/core/errors';
import { refreshConnection } from '../../functions/core/refresh-connection';
import { ConnectionBusyError, revokeConnection } from '../../functions/core/revoke-connection';
import { sweepDueConnections } from '../../functions/core/sweep';
import type { StoredAccessToken } from '../../functions/core/token';
import { createTokenRejectedHandler } from '../../functions/on-demand-refresh/token-rejected-handler';
import { isInjected, type PortCall } from '../fault-matrix/faults';
import { InvariantChecker } from '../fault-matrix/invariants';
import { createProofWorld, type ProofWorld } from '../fault-matrix/proof-world';
import { forgedEvent, reportEvent } from '../fault-matrix/report-events';
import {
  type Action,
  IDS,
  type Id,
  type Start,
  type Trigger,
  type VaultFault,
  type ZohoFault,
} from './interleavings.actions';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** After the faults stop, every active connection serves an unexpired token again within this. */
export const HEALING_MS = 26 * HOUR;

export interface Fleet {
  readonly world: ProofWorld;
  readonly checker: InvariantChecker;
  readonly onDemand: ReturnType<typeof createTokenRejectedHandler>;
}

export async function createFleet(starts: readonly Start[]): Promise<Fleet> {
  const world = createProofWorld();
  const now = world.fakes.clock.now();
  for (const [i, start] of starts.entries()) {
    const expiresAt = start.version === 0 ? 0 : now + start.minutesLeft * MIN;
    await world.addConnection({
      connectionId: IDS[i] ?? `c${i}`,
      version: start.version,
      expiresAt,
      refreshDueAt: start.version === 0 ? now : expiresAt - 15 * MIN,
    });
  }
  return {
    world,
    checker: new InvariantChecker(world),
    onDemand: createTokenRejectedHandler(world.deps('on_demand')),
  };
}

const connectionOf = (fleet: Fleet, id: Id): Connection | undefined => fleet.world.fakes.store.items.get(id);

/** The version a consumer holds: the secret's (a crashed run may have written one ahead of the commit). */
const held = (fleet: Fleet, id: Id): number =>
  fleet.world.fakes.vault.versions.get(id)?.at(-1)?.version ?? connectionOf(fleet, id)?.version ?? 0;

function reportedVersion(fleet: Fleet, trigger: Extract<Trigger, { kind: 'report' }>): number {
  const version = held(fleet, trigger.id);
  if (trigger.version === 'stale') return Math.max(0, version - 1);
  if (trigger.version === 'unissued') return version + 1;
  return version;
}

/** What one trigger answered, or the error it threw. */
async function runTrigger(fleet: Fleet, trigger: Trigger): Promise<unknown> {
  const { world } = fleet;
  try {
    switch (trigger.kind) {
      case 'sweep':
        return await sweepDueConnections(world.deps('scheduled'), {
          concurrency: 2,
          remainingTimeMs: () => 10 * MIN,
          reserveMs: 0,
          maxConnections: IDS.length,
        });
      case 'report': {
        const version = reportedVersion(fleet, trigger);
        return await fleet.onDemand(
          await reportEvent({ connectionId: trigger.id, version, status: 401, code: 57 }),
        );
      }
      case 'forged':
        return await fleet.onDemand(
          await forgedEvent(trigger.publisher, trigger.victim, held(fleet, trigger.victim)),
        );
      case 'operator_refresh':
        return await refreshConnection(world.deps('operator'), {
          connectionId: trigger.id,
          trigger: 'operator',
          force: true,
        });
      case 'revoke':
        return await revokeConnection(world.deps('revoke'), trigger.id);
    }
  } catch (error) {
    return error;
  }
}

/** `zoho-tokens enable`: only a misconfigured or disabled connection that still has its refresh token. */
async function enable(fleet: Fleet, id: Id): Promise<unknown> {
  const deps = fleet.world.deps('operator');
  const connection = connectionOf(fleet, id);
  if (
    !connection ||
    !['misconfigured', 'disabled'].includes(connection.status) ||
    !connection.encryptedRefreshToken
  ) {
    return { outcome: 'refused' };
  }
  try {
    await deps.store.setStatus(id, 'active', {
      refreshDueAt: deps.clock.now(),
      lastError: null,
      expectedStatus: connection.status,
    });
    return await refreshConnection(deps, { connectionId: id, trigger: 'operator', force: true });
  } catch (error) {
    return error;
  }
}

async function disable(fleet: Fleet, id: Id): Promise<unknown> {
  if (connectionOf(fleet, id)?.status !== 'active') return { outcome: 'refused' };
  try {
    await fleet.world.deps('operator').store.setStatus(id, 'disabled', { expectedStatus: 'active' });
    return { outcome: 'disabled' };
  } catch (error) {
    return error;
  }
}

const ZOHO_ERRORS: Record<ZohoFault, () => Error> = {
  transient: () => new ZohoTransientError('HTTP 503'),
  throttled: () => new ZohoThrottledError('Access Denied (HTTP 400)'),
  malformed: () => new ZohoMalformedResponseError('expires_in is missing'),
  reauthorization: () => new ReauthorizationRequiredError('invalid_code'),
  misconfigured: () => new MisconfiguredClientError('invalid_client', 'check the data centre'),
};

const VAULT_ERRORS: Record<VaultFault, (id: string) => TokenVaultWriteError> = {
  throttled: (id) => new SecretWriteThrottledError(id),
  quota: (id) => new SecretVersionQuotaError(id),
  pending_deletion: (id) => new SecretPendingDeletionError(id),
  access_denied: (id) => new SecretAccessDeniedError(id),
  failed: (id) => new SecretWriteFailedError(id, 'TimeoutError'),
};

const tokenOf = (call: PortCall) => (call.args[0] as StoredAccessToken).connectionId;
const idOf = (call: PortCall) => String(call.args[0]);

/** Arms a fault, or runs a trigger or an operator command; returns every answer. */
export async function perform(fleet: Fleet, action: Action): Promise<unknown[]> {
  const { world } = fleet;
  const { faults, fakes } = world;
  switch (action.kind) {
    case 'advance':
      fakes.clock.advance(action.ms);
      return [];
    case 'burst':
      return Promise.all(
        action.triggers.map(async ({ trigger, delay }) => {
          for (let turn = 0; turn < delay; turn++) await new Promise((resolve) => setImmediate(resolve));
          return runTrigger(fleet, trigger);
        }),
      );
    case 'storm': {
      const answers: unknown[] = [];
      for (let i = 0; i < action.count; i++) {
        answers.push(await runTrigger(fleet, action.trigger));
        faults.restart();
        fakes.clock.advance(action.gapMs);
      }
      return answers;
    }
    case 'disable':
      return [await disable(fleet, action.id)];
    case 'enable':
      return [await enable(fleet, action.id)];
    case 'zoho_fault':
      fakes.zoho.script.push(...Array.from({ length: action.times }, ZOHO_ERRORS[action.fault]));
      return [];
    case 'vault_fault':
      faults.fail('vault', 'write', (call) => VAULT_ERRORS[action.fault](tokenOf(call)), {
        times: action.times,
      });
      return [];
    case 'store_fault':
      faults.fail(
        'store',
        action.method,
        () => new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} }),
        { skip: action.skip },
      );
      return [];
    case 'cipher_fault':
      faults.fail('cipher', action.method, (call) =>
        action.method === 'decrypt'
          ? new RefreshTokenKeyUnavailableError(idOf(call), 'decrypt', 'DisabledException')
          : new RefreshTokenCipherError(idOf(call), 'encrypt', 'ThrottlingException'),
      );
      return [];
    case 'events_fault':
      faults.fail(
        'events',
        'publish',
        () => new EventPublishError('Zoho Token Refreshed', 'InternalFailure'),
      );
      return [];
    case 'crash':
      faults.crashAfter(action.port, action.method);
      return [];
    default:
      return [await runTrigger(fleet, action)];
  }
}

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
