/**
 * A fleet of two connections on the real core and in-memory ports, and how each generated action is
 * carried out on it: triggers as the functions run them (the sweep, the on-demand handler with
 * events the consumer library builds, operator commands), faults armed in any port, the clock moved.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import {
  EventPublishError,
  RefreshTokenCipherError,
  RefreshTokenKeyUnavailableError,
} from '../../functions/aws/errors';
import type { Connection } from '../../functions/core/connection';
import {
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
import { revokeConnection } from '../../functions/core/revoke-connection';
import type { StoredAccessToken } from '../../functions/core/token';
import { createTokenRejectedHandler } from '../../functions/on-demand-refresh/token-rejected-handler';
import type { PortCall } from '../fault-matrix/faults';
import { InvariantChecker } from '../fault-matrix/invariants';
import { createProofWorld, type ProofWorld } from '../fault-matrix/proof-world';
import { forgedEvent, reportEvent } from '../fault-matrix/report-events';
import { runScheduled } from '../support/scheduled-run';
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

export const connectionOf = (fleet: Fleet, id: Id): Connection | undefined =>
  fleet.world.fakes.store.items.get(id);

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
        return await runScheduled(world.deps('scheduled'), { concurrency: 2 });
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
