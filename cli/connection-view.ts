/**
 * A connection as the operator sees it: what is wrong with it, in words, and what to do. Shared by
 * `status` and `doctor`. Never includes the encrypted refresh token.
 */

import { REFRESH_TOKEN_CIPHER_REFUSED } from '../functions/aws/errors';
import type { Connection } from '../functions/core/connection';
import { FRESH_TOKEN_CAUSES } from '../functions/core/fresh-report';
import { DEFAULT_REFRESH_POLICY } from '../functions/core/refresh-policy';
import { writesInDay } from '../functions/core/write-budget';
import { allowFlagFor, locationFlags, usesCustomServer } from './custom-servers';

export type Health = 'ok' | 'warning' | 'trouble';

export interface ConnectionView {
  readonly connectionId: string;
  readonly dc: string;
  readonly accountsServer: string;
  readonly apiDomain: string;
  readonly clientRef: string;
  readonly status: Connection['status'];
  readonly version: number;
  readonly expiresAt: string | null;
  /** Negative once expired; null before the first refresh. */
  readonly expiresInSeconds: number | null;
  readonly refreshDueAt: string;
  readonly refreshedAt: string | null;
  readonly consecutiveFailures: number;
  readonly lastError: { code: string; message: string; at: string } | null;
  /** Versions written to the secret in the last 24 hours (the write budget counts them). */
  readonly secretWritesLastDay: number;
  /** Reports of unexpired tokens that caused no refresh, and when the last one came. */
  readonly freshRejections: number;
  readonly lastFreshRejectionAt: string | null;
  /** A minted token waiting to be written to the secret (its version), if any. */
  readonly keptTokenVersion: number | null;
  readonly health: Health;
  /** What is wrong, when something is. */
  readonly problem?: string;
  /** What to do about it. */
  readonly fix?: string;
}

const iso = (at: number) => new Date(at).toISOString();

/** The view of `connection` at `now`. */
export function viewOf(connection: Connection, now: number): ConnectionView {
  const { health, problem, fix } = diagnose(connection, now);
  return {
    connectionId: connection.connectionId,
    dc: connection.dc,
    accountsServer: connection.accountsServer,
    apiDomain: connection.apiDomain,
    clientRef: connection.clientRef,
    status: connection.status,
    version: connection.version,
    expiresAt: connection.expiresAt > 0 ? iso(connection.expiresAt) : null,
    expiresInSeconds: connection.expiresAt > 0 ? Math.round((connection.expiresAt - now) / 1000) : null,
    refreshDueAt: iso(connection.refreshDueAt),
    refreshedAt: connection.refreshedAt === undefined ? null : iso(connection.refreshedAt),
    consecutiveFailures: connection.consecutiveFailures,
    lastError:
      connection.lastError === undefined
        ? null
        : {
            code: connection.lastError.code,
            message: connection.lastError.message,
            at: iso(connection.lastError.at),
          },
    secretWritesLastDay: writesInDay(connection.recentSecretWrites, now, DEFAULT_REFRESH_POLICY).length,
    freshRejections: connection.freshRejections,
    lastFreshRejectionAt:
      connection.lastFreshRejectionAt === undefined ? null : iso(connection.lastFreshRejectionAt),
    keptTokenVersion: connection.keptToken?.version ?? null,
    health,
    ...(problem === undefined ? {} : { problem }),
    ...(fix === undefined ? {} : { fix }),
  };
}

function diagnose(c: Connection, now: number): { health: Health; problem?: string; fix?: string } {
  const id = c.connectionId;
  const where = locationFlags(c);
  // What an in-process refresh of a connection on a custom server needs (local mode).
  const allow = allowFlagFor(c);
  switch (c.status) {
    case 'reauthorization_required':
      return {
        health: 'trouble',
        problem: 'Zoho rejected the refresh token (revoked, deleted or replaced by a newer one)',
        // The link is what a customer can act on alone; the event carries one when the endpoint is deployed.
        fix: `send the customer a link: zoho-tokens link create --id ${id} --client ${c.clientRef} ${where} --reauthorize (the 'Zoho Reauthorization Required' event carries one when the connect endpoint is deployed); or authorise again: zoho-tokens connect --id ${id} --client ${c.clientRef} --code - (${where} …)`,
      };
    case 'misconfigured':
      return misconfiguration(c);
    case 'revoked':
      return {
        health: 'trouble',
        problem: 'revoked by an operator',
        fix: `zoho-tokens add --id ${id} … to use it again`,
      };
    case 'disabled':
      return {
        health: 'trouble',
        problem: 'disabled: it is not refreshed',
        fix: `zoho-tokens enable ${id}${allow} to reactivate`,
      };
    case 'active':
      break;
  }
  if (c.expiresAt === 0) {
    return {
      health: 'trouble',
      problem: 'no access token yet: the first refresh has not succeeded',
      fix: `zoho-tokens refresh ${id}${allow}; zoho-tokens doctor ${id} if it fails`,
    };
  }
  if (c.expiresAt <= now) {
    return {
      health: 'trouble',
      problem: 'the access token has expired: consumers are failing',
      fix: `zoho-tokens refresh ${id}${allow}; zoho-tokens history ${id} shows why refreshes fail`,
    };
  }
  return activeWarning(c, now) ?? { health: 'ok' };
}

const DAY_MS = 24 * 60 * 60_000;

/** What an active connection with a working token may still want an operator to know. */
function activeWarning(
  c: Connection,
  now: number,
): { health: Health; problem: string; fix: string } | undefined {
  const id = c.connectionId;
  if (c.keptToken !== undefined) {
    return {
      health: 'warning',
      problem: `Zoho minted token version ${c.keptToken.version} but writing the secret failed (${c.lastError?.code ?? 'unknown'}); it is kept, encrypted, and the next run writes it without calling Zoho`,
      fix: `zoho-tokens history ${id}; check the secret in Secrets Manager (pending deletion, version quota, access)`,
    };
  }
  if (c.lastError?.code === 'secret_write_budget') {
    return {
      health: 'warning',
      problem: `the secret's write budget is spent (${writesInDay(c.recentSecretWrites, now, DEFAULT_REFRESH_POLICY).length} versions in 24 hours); the current token still works and the next refresh waits until it frees`,
      fix: `zoho-tokens history ${id} shows what refreshed so often`,
    };
  }
  if (c.consecutiveFailures > 0) {
    return {
      health: 'warning',
      problem: `${c.consecutiveFailures} refresh attempt(s) failed in a row; the current token still works`,
      fix: `zoho-tokens history ${id}`,
    };
  }
  if (c.lastFreshRejectionAt !== undefined && now - c.lastFreshRejectionAt < DAY_MS) {
    return {
      health: 'warning',
      problem: `consumers got a 401 on a token that had not expired (${c.freshRejections} report(s) without a refresh, the last at ${iso(c.lastFreshRejectionAt)}): no refresh can fix that. Likely ${FRESH_TOKEN_CAUSES}`,
      fix: `check the consumer's call: the scope the user granted (e.g. ZohoBooks.fullaccess.all), its organization_id, and that it calls the api_domain of the secret (${c.apiDomain})`,
    };
  }
  return undefined;
}

/** Why a connection is misconfigured, from the error that took it off the schedule. */
function misconfiguration(c: Connection): { health: Health; problem: string; fix: string } {
  const id = c.connectionId;
  const code = c.lastError?.code;
  if (code === 'accounts_server_not_allowed') {
    return {
      health: 'trouble',
      problem: `its accounts server ${c.accountsServer} is not one of Zoho's data centres and was not allowed; nothing was sent there`,
      fix: usesCustomServer(c)
        ? `if that server is yours (a simulator), zoho-tokens enable ${id} --allow-custom-accounts-server (against AWS: list it in allowedAccountsServers); otherwise the table was tampered with`
        : `zoho-tokens doctor ${id}`,
    };
  }
  if (code === REFRESH_TOKEN_CIPHER_REFUSED) {
    return {
      health: 'trouble',
      problem: 'KMS refuses to decrypt its stored refresh token (encrypted for another connection or key)',
      fix: `authorise again: zoho-tokens connect --id ${id} --client ${c.clientRef} --code - (${locationFlags(c)} …)`,
    };
  }
  return {
    health: 'trouble',
    problem: `Zoho rejected the client app '${c.clientRef}' for ${c.accountsServer}`,
    fix: `check the data centre and the client's id and secret (zoho-tokens doctor ${id}; zoho-tokens clients put --client ${c.clientRef} …), then zoho-tokens enable ${id} to reactivate`,
  };
}
