/**
 * Doctor checks of connections: their state, their accounts server, their client app as Zoho sees
 * it (a probe that spends nothing), their access-token secret, and (refresher-checks.ts) what the
 * refresher itself can decrypt and read.
 */
import type { AwsPorts } from '../../functions/aws/runtime';
import type { Connection } from '../../functions/core/connection';
import { InvalidInputError, MisconfiguredClientError } from '../../functions/core/errors';
import type { ZohoAccountsClient } from '../../functions/zoho/accounts-client';
import { GrantCodeRejectedError } from '../../functions/zoho/errors';
import type { AwsTarget } from '../aws-target';
import { viewOf } from '../connection-view';
import { usesCustomServer } from '../custom-servers';
import { type Check, errorName, fail, guarded, ok, warn } from './check';
import { type RefresherCheckContext, refresherChecks } from './refresher-checks';

/**
 * A grant code that cannot exist. Zoho checks the client before the code, so the answer tells a
 * good client (`invalid_code`) from a wrong DC, client id or secret, without spending anything.
 */
export const PROBE_CODE = '1000.zoho-tokens-doctor-probe.0';

export interface ConnectionCheckContext extends RefresherCheckContext {
  readonly target: AwsTarget;
  readonly ports: AwsPorts;
  readonly zoho: ZohoAccountsClient;
  /** The operator allowed this connection's custom accounts server. */
  readonly allowCustom: boolean;
}

/** The connection's state, as `status` shows it. */
export function stateCheck(connection: Connection, now = Date.now()): Check {
  const view = viewOf(connection, now);
  const name = `connection ${connection.connectionId}`;
  if (view.health === 'ok') {
    return ok(
      name,
      `${connection.status}, token version ${connection.version}, expires in ${Math.round((view.expiresInSeconds ?? 0) / 60)} min`,
    );
  }
  return (view.health === 'warning' ? warn : fail)(
    name,
    `${connection.status}: ${view.problem ?? ''}`,
    view.fix,
  );
}

/** Every check of one connection. */
export async function connectionChecks(
  ctx: ConnectionCheckContext,
  connection: Connection,
): Promise<Check[]> {
  const checks: Check[] = [stateCheck(connection)];
  const serverCheck = accountsServerCheck(ctx, connection);
  checks.push(serverCheck);
  const results = await Promise.all([
    serverCheck.status === 'fail'
      ? Promise.resolve([])
      : guarded('client app', () => clientCheck(ctx, connection)),
    guarded('refresher', () => refresherChecks(ctx, connection)),
    guarded('access-token secret', () => secretCheck(ctx, connection)),
  ]);
  return [...checks, ...results.flat()];
}

function accountsServerCheck(ctx: ConnectionCheckContext, connection: Connection): Check {
  const name = 'accounts server';
  if (!usesCustomServer(connection))
    return ok(name, `Zoho data centre ${connection.dc} (${connection.accountsServer})`);
  if (ctx.allowCustom)
    return warn(name, `custom accounts server ${connection.accountsServer}, allowed for this run`);
  return fail(
    name,
    `${connection.accountsServer} is not one of Zoho's data centres: refreshes send nothing there`,
    ctx.target.local
      ? 'pass --allow-custom-accounts-server if it is your simulator'
      : "list it in the functions' ALLOWED_ACCOUNTS_SERVERS if it is yours; otherwise the table was tampered with",
  );
}

/** Zoho's verdict on the connection's client app at its accounts server. */
export async function clientCheck(
  ctx: Pick<ConnectionCheckContext, 'ports' | 'zoho'>,
  connection: Pick<Connection, 'clientRef' | 'dc' | 'accountsServer'>,
): Promise<Check> {
  const name = `client app ${connection.clientRef}`;
  const client = await ctx.ports.credentials.get(connection.clientRef, connection.dc);
  try {
    await ctx.zoho.exchangeGrantCode({
      accountsServer: connection.accountsServer,
      ...client,
      code: PROBE_CODE,
    });
    return warn(name, `${connection.accountsServer} accepted a probe code it should not know`);
  } catch (error) {
    if (error instanceof GrantCodeRejectedError) {
      return ok(
        name,
        `${connection.accountsServer} accepts client app '${connection.clientRef}' (client id ${client.clientId})`,
      );
    }
    if (error instanceof MisconfiguredClientError) {
      return fail(
        name,
        `${connection.accountsServer} rejects client app '${connection.clientRef}' (${error.zohoError})`,
        clientFix(error.zohoError, connection),
      );
    }
    if (error instanceof InvalidInputError) return fail(name, error.message);
    return warn(
      name,
      `could not ask ${connection.accountsServer}: ${errorName(error)}`,
      'check the network and try again',
    );
  }
}

function clientFix(zohoError: string, c: Pick<Connection, 'clientRef' | 'dc'>): string {
  if (zohoError === 'invalid_client_secret') {
    return `store the secret of data centre ${c.dc}: zoho-tokens clients put --client ${c.clientRef} --dc ${c.dc} --client-secret -`;
  }
  return `the client is unknown at this data centre: check that the user's account lives in ${c.dc} (tokens are bound to one data centre) and that the client is enabled there (API console → Settings → Multi-DC), then the client id`;
}

async function secretCheck(ctx: ConnectionCheckContext, connection: Connection): Promise<Check> {
  const name = 'access-token secret';
  const stored = await ctx.ports.vault.read(connection.connectionId);
  if (stored === undefined) {
    return connection.version === 0 && connection.status === 'active'
      ? fail(name, 'no access token written yet', `zoho-tokens refresh ${connection.connectionId}`)
      : connection.status === 'active'
        ? fail(
            name,
            'the secret is missing: consumers cannot read a token',
            `zoho-tokens refresh ${connection.connectionId} --force`,
          )
        : warn(name, 'no secret (expected for a connection that is not active)');
  }
  if (stored.version > connection.version) {
    return warn(
      name,
      `the secret holds version ${stored.version}, the table ${connection.version}: a run crashed before committing`,
      'the next refresh adopts it without calling Zoho',
    );
  }
  if (stored.version < connection.version) {
    return fail(
      name,
      `the secret holds version ${stored.version} but the table says ${connection.version}`,
      `zoho-tokens refresh ${connection.connectionId} --force`,
    );
  }
  return ok(name, `holds version ${stored.version}, as the table says`);
}
