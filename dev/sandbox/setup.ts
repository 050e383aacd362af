/**
 * What `zoho-tokens clients put` and `zoho-tokens add` would do for the sandbox's demo connections:
 * store the client app, encrypt each refresh token under its connection, register the connection
 * as due at once (or, with the Zoho calls of earlier runs, as soon as their budget allows).
 */
import { randomBytes } from 'node:crypto';
import { DescribeSecretCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { UsageError } from '../../cli/errors';
import { putClientCredentials } from '../../functions/aws/client-credentials';
import { clientSecretName } from '../../functions/aws/names';
import { type EpochMillis, newConnection } from '../../functions/core/connection';
import type { RefreshDependencies } from '../../functions/core/refresh-deps';
import type { OnDemandResult } from '../../functions/on-demand-refresh/token-rejected-handler';
import type { AwsSide } from './aws-side';
import { withEarlierCalls } from './zoho-budget';
import type { DemoConnection, ZohoSide } from './zoho-side';

/** The client app name the sandbox stores. */
export const SANDBOX_CLIENT_REF = 'sandbox';

/** A demo connection as registered: its id may carry a suffix when the emulator already had it. */
export interface RegisteredConnection extends DemoConnection {
  readonly baseId: string;
}

/**
 * The sandbox sweeps the whole table and drains the whole queue, with a policy 60× faster than
 * Zoho's: in an emulator that holds connections of the user's own it would refresh them too (or mark
 * them misconfigured). Such an emulator is refused before anything is written to it.
 */
export async function refuseForeignConnections(
  deps: Pick<RefreshDependencies, 'store'>,
  endpoint: string,
): Promise<void> {
  const foreign = (await deps.store.listAll())
    .filter((c) => c.clientRef !== SANDBOX_CLIENT_REF)
    .map((c) => c.connectionId);
  if (foreign.length === 0) return;
  const named =
    foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? ` and ${foreign.length - 5} more` : '');
  throw new UsageError(
    `the emulator at ${endpoint} holds connections the sandbox did not make (${named}); its sweeps and drains would act on them too`,
    'give the sandbox an emulator of its own: leave out --aws-endpoint (it starts one), or start a fresh one',
  );
}

export async function registerDemoConnections(
  aws: AwsSide,
  zoho: ZohoSide,
  deps: RefreshDependencies,
  /** The Zoho token requests earlier runs made for a demo connection's refresh token (real Zoho). */
  earlierCalls: (demo: DemoConnection) => readonly EpochMillis[] = () => [],
): Promise<{ registered: RegisteredConnection[]; disabled: string[]; createdClientApp: boolean }> {
  const createdClientApp = !(await clientAppExists(aws));
  await putClientCredentials(aws.clients.secretsManager, aws.resources.secretPrefix, SANDBOX_CLIENT_REF, {
    clientId: zoho.client.clientId,
    clientSecret: zoho.client.clientSecret,
  });
  // Connections an earlier run left in a reused emulator point at a simulator that is gone: their
  // refreshes could only fail, over and over. Take them off the schedule.
  const stale = (await deps.store.listAll()).filter(
    (c) => c.clientRef === SANDBOX_CLIENT_REF && c.status === 'active',
  );
  for (const connection of stale) await deps.store.setStatus(connection.connectionId, 'disabled');
  const registered: RegisteredConnection[] = [];
  for (const demo of zoho.connections) {
    // An emulator that outlived an earlier run may hold this id, bound to a dead simulator.
    const taken = (await deps.store.get(demo.connectionId)) !== undefined;
    const connectionId = taken ? `${demo.connectionId}-${randomBytes(2).toString('hex')}` : demo.connectionId;
    const now = deps.clock.now();
    const connection = newConnection(
      {
        connectionId,
        dc: demo.dc,
        accountsServer: demo.accountsServer,
        apiDomain: demo.apiDomain,
        clientRef: SANDBOX_CLIENT_REF,
        encryptedRefreshToken: await deps.cipher.encrypt(connectionId, demo.refreshToken),
      },
      now,
    );
    await deps.store.create(withEarlierCalls(connection, earlierCalls(demo), deps.policy, now));
    registered.push({ ...demo, connectionId, baseId: demo.connectionId });
  }
  return { registered, disabled: stale.map((c) => c.connectionId), createdClientApp };
}

/** Whether the emulator already held the sandbox's client app (an earlier run's, or the user's). */
async function clientAppExists(aws: AwsSide): Promise<boolean> {
  try {
    await aws.clients.secretsManager.send(
      new DescribeSecretCommand({
        SecretId: clientSecretName(aws.resources.secretPrefix, SANDBOX_CLIENT_REF),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

/** `refreshed to v3`, `skipped (already_refreshed)`, `failed (throttled)`, … */
export function describeOnDemandResult(result: OnDemandResult): string {
  switch (result.outcome) {
    case 'refreshed':
    case 'adopted':
      return `${result.outcome} to v${result.version}`;
    case 'skipped':
      return `skipped (${result.reason}), v${result.version} stands`;
    case 'failed':
      return `failed (${result.errorCode})`;
    case 'rejected':
      return `refused (${result.reason})`;
  }
}
