/**
 * What `connect` and `add` share: check the input, register the connection (or, for an existing
 * connection that needs a new refresh token, replace it and reactivate), make the first refresh,
 * and tell the operator how consumers read the token.
 */

import { REFRESH_TOKEN_CIPHER_REFUSED } from '../functions/aws/errors';
import { parseClientName } from '../functions/aws/names';
import type { Connection } from '../functions/core/connection';
import { parseConnectionId } from '../functions/core/connection';
import { ConnectionAlreadyExistsError } from '../functions/core/errors';
import { type ClientCredentials, systemClock } from '../functions/core/ports';
import { AuthorizationOutcomeUnknownError, storeAuthorization } from '../functions/core/store-authorization';
import { type ResolvedDataCentre, resolveDataCentre } from '../functions/zoho/data-centres';
import { type CommandContext, type CommandSpec, requiredOption, stringOption } from './command';
import { allowCustomOption, customAllowed } from './custom-servers';
import { describeFailure, OperationError, UsageError } from './errors';
import { refreshAndReport } from './onboarding-report';

/** Options both onboarding commands take. */
export const ONBOARDING_OPTIONS = {
  id: { type: 'string', value: 'ID', description: 'connection id: letters, digits, . _ - (e.g. acme-books)' },
  client: { type: 'string', value: 'NAME', description: "the client app stored with 'clients put'" },
  dc: {
    type: 'string',
    value: 'DC',
    description: "the user's Zoho data centre: us, eu, in, au, jp, ca, sa, uk, cn",
  },
  'accounts-server': {
    type: 'string',
    value: 'URL',
    description: 'the accounts-server of the authorisation redirect (as is, or decoded), instead of --dc',
  },
  ...allowCustomOption,
} as const;

/** Checked input and what exists already, before anything is spent (a grant code works once). */
export interface Onboarding {
  readonly connectionId: string;
  readonly clientRef: string;
  readonly location: ResolvedDataCentre;
  readonly allowed: readonly string[];
  readonly client: ClientCredentials;
  /** The connection being re-authorised, if the id exists and is not active. */
  readonly existing?: Connection;
}

/** Validates the flags and reads what exists; throws before any secret is spent. */
export async function prepareOnboarding(ctx: CommandContext, spec: CommandSpec): Promise<Onboarding> {
  const connectionId = parseConnectionId(requiredOption(ctx.values, 'id', spec));
  const clientRef = parseClientName(requiredOption(ctx.values, 'client', spec));
  const accountsServer = decodedAccountsServer(stringOption(ctx.values, 'accounts-server'));
  const allowed = customAllowed(ctx.values) && accountsServer !== undefined ? [accountsServer] : [];
  const dc = stringOption(ctx.values, 'dc');
  if ((dc === undefined) === (accountsServer === undefined)) {
    throw new UsageError(
      `${spec.name}: give exactly one of --dc or --accounts-server`,
      `usage: zoho-tokens ${spec.name} ${spec.usage}`,
    );
  }
  const location = resolveDataCentre({
    ...(dc === undefined ? {} : { dc }),
    ...(accountsServer === undefined ? {} : { accountsServer }),
    allowedCustomServers: allowed,
  });
  const { store, credentials, cipher } = await ctx.aws.ports();
  // Reading the id checks the table is reachable as well as that the id is free.
  const existing = await store.get(connectionId);
  if (existing?.status === 'active') throw new ConnectionAlreadyExistsError(connectionId);
  if (existing !== undefined) refuseWhileTokenKept(existing);
  if (
    existing !== undefined &&
    (existing.accountsServer !== location.accountsServer || existing.clientRef !== clientRef)
  ) {
    throw new OperationError(
      `connection '${connectionId}' belongs to ${existing.accountsServer} with client app '${existing.clientRef}'`,
      'authorise it again in that data centre with that client app, or register the new authorisation under another --id',
    );
  }
  const client = await credentials.get(clientRef, location.dc);
  // `connect` spends a single-use grant code next: whatever could fail after the exchange is tried
  // first. Encrypting a dummy under this connection's context proves kms:Encrypt and --key.
  await cipher.encrypt(connectionId, 'zoho-tokens-preflight');
  return {
    connectionId,
    clientRef,
    location,
    allowed,
    client,
    ...(existing === undefined ? {} : { existing }),
  };
}

/**
 * A `misconfigured` or `disabled` connection still holds its refresh token, and Zoho still honours
 * it. Overwriting it with a new one would not revoke the old one: it would stay live at Zoho and
 * count towards the 20 refresh tokens per user and client app, where the 21st silently invalidates
 * the oldest, perhaps one in use. `enable` reactivates it with the token it has. (Without a usable
 * stored token — none, or one KMS refuses to decrypt for this connection — there is nothing to
 * revoke or reuse, and re-authorisation is the only way back.)
 */
function refuseWhileTokenKept(existing: Connection): void {
  const { connectionId: id, status } = existing;
  if ((status !== 'misconfigured' && status !== 'disabled') || existing.encryptedRefreshToken === '') return;
  if (existing.lastError?.code === REFRESH_TOKEN_CIPHER_REFUSED) return;
  throw new OperationError(
    `connection '${id}' is ${status} and still holds its refresh token: replacing it would leave that token live at Zoho, where it counts towards the 20 refresh tokens per user and client app (the 21st silently invalidates the oldest)`,
    `fix the cause ('zoho-tokens doctor ${id}' says what), then 'zoho-tokens enable ${id}' reactivates it with the refresh token it has; to replace that token anyway, 'zoho-tokens revoke ${id}' first`,
  );
}

/**
 * Storing failed, and so did the read that would have told whether the write landed anyway (a
 * timeout may hide one that did): the connection's state is unknown, and the message says so.
 */
export class StoreOutcomeUnknownError extends OperationError {
  readonly writeError: unknown;
  readonly readError: unknown;

  constructor(connectionId: string, writeError: unknown, readError: unknown) {
    super(
      `storing connection '${connectionId}' failed (${describeFailure(writeError).message}), and reading it back failed too (${describeFailure(readError).message}): whether it was stored is unknown`,
      `'zoho-tokens status ${connectionId}' shows whether it is there and active; if it is not, run the command again once AWS answers`,
    );
    this.writeError = writeError;
    this.readError = readError;
  }
}

/** Stores the encrypted refresh token (new connection, or re-authorised one) and makes the first refresh. */
export async function registerAndRefresh(
  ctx: CommandContext,
  onboarding: Onboarding,
  refreshToken: string,
): Promise<number> {
  await storeRefreshToken(ctx, onboarding, refreshToken);
  return refreshAndReport(ctx, onboarding);
}

/**
 * Stores the encrypted refresh token: a new connection, or a re-authorised one reactivated. When
 * this resolves the token is in the table; when it throws it is not (a write that failed after it
 * landed is recognised by its ciphertext), except StoreOutcomeUnknownError: then nobody knows.
 * `zohoCallAt` is the time of a Zoho token request already made with this refresh token (the code
 * exchange): it counts against the budget like a refresh.
 */
export async function storeRefreshToken(
  ctx: CommandContext,
  onboarding: Onboarding,
  refreshToken: string,
  zohoCallAt?: number,
): Promise<void> {
  const { store, cipher } = await ctx.aws.ports();
  const { connectionId, location, existing } = onboarding;
  try {
    await storeAuthorization(
      { store, cipher, clock: systemClock },
      {
        connectionId,
        dc: location.dc,
        accountsServer: location.accountsServer,
        // A custom server's API domain is unknown until its first token answer names it.
        ...(location.apiDomain === undefined ? {} : { apiDomain: location.apiDomain }),
        clientRef: onboarding.clientRef,
        refreshToken,
        ...(existing === undefined ? {} : { existing }),
        ...(zohoCallAt === undefined ? {} : { zohoCallAt }),
      },
    );
  } catch (error) {
    if (error instanceof AuthorizationOutcomeUnknownError) {
      throw new StoreOutcomeUnknownError(connectionId, error.writeError, error.readError);
    }
    throw error;
  }
}

/**
 * The authorisation redirect carries `accounts-server` percent-encoded (`https%3A%2F%2Faccounts.zoho.eu`);
 * an operator who copies it as is means the decoded URL.
 */
function decodedAccountsServer(value: string | undefined): string | undefined {
  if (value === undefined || !/%[0-9A-Fa-f]{2}/.test(value)) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // not valid percent-encoding: let the URL check name the problem
  }
}
