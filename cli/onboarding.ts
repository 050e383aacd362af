/**
 * What `connect` and `add` share: check the input, register the connection (or, for an existing
 * connection that needs a new refresh token, replace it and reactivate), make the first refresh,
 * and tell the operator how consumers read the token.
 */

import { accessTokenSecretName } from '../functions/aws/names';
import type { Connection } from '../functions/core/connection';
import { newConnection, parseConnectionId } from '../functions/core/connection';
import { ConnectionAlreadyExistsError } from '../functions/core/errors';
import type { ClientCredentials } from '../functions/core/ports';
import type { OnDemandResult } from '../functions/on-demand-refresh/token-rejected-handler';
import { type ResolvedDataCentre, resolveDataCentre } from '../functions/zoho/data-centres';
import { type CommandContext, type CommandSpec, requiredOption, stringOption } from './command';
import { allowCustomOption, customAllowed } from './custom-servers';
import { EXIT_OK, OperationError, UsageError } from './errors';
import { relative, timestamp } from './format';
import { refreshNow } from './handlers';
import { describeResult } from './results';

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
    description: 'the accounts-server of the authorisation redirect, instead of --dc',
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
  const clientRef = requiredOption(ctx.values, 'client', spec);
  const accountsServer = stringOption(ctx.values, 'accounts-server');
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
 * landed is recognised by its ciphertext). `zohoCallAt` is the time of a Zoho token request already
 * made with this refresh token (the code exchange): it counts against the budget like a refresh.
 */
export async function storeRefreshToken(
  ctx: CommandContext,
  onboarding: Onboarding,
  refreshToken: string,
  zohoCallAt?: number,
): Promise<void> {
  const { store, cipher } = await ctx.aws.ports();
  const { connectionId, location, existing } = onboarding;
  const encryptedRefreshToken = await cipher.encrypt(connectionId, refreshToken);
  const now = Date.now();
  try {
    if (existing === undefined) {
      await store.create({
        ...newConnection(
          {
            connectionId,
            dc: location.dc,
            accountsServer: location.accountsServer,
            // A custom server's API domain is unknown until its first token answer names it.
            apiDomain: location.apiDomain ?? location.accountsServer,
            clientRef: onboarding.clientRef,
            encryptedRefreshToken,
          },
          now,
        ),
        recentZohoCalls: zohoCallAt === undefined ? [] : [zohoCallAt],
      });
    } else {
      // ConnectionStore.setStatus cannot set recentZohoCalls: here the exchange goes uncounted, and
      // the budget's one spare call (9 of Zoho's 10) covers it.
      await store.setStatus(connectionId, 'active', {
        encryptedRefreshToken,
        refreshDueAt: now,
        lastError: null,
      });
    }
  } catch (error) {
    // A timeout may hide a write that landed: KMS ciphertexts are unique, so equality proves it.
    const stored = await store.get(connectionId).catch(() => undefined);
    if (stored?.encryptedRefreshToken !== encryptedRefreshToken) throw error;
  }
}

/** Makes the first refresh of a stored connection and tells the operator how consumers read it. */
export async function refreshAndReport(ctx: CommandContext, onboarding: Onboarding): Promise<number> {
  const result = await refreshNow(ctx.aws, ctx.out, onboarding, onboarding.allowed);
  return report(ctx, onboarding, result);
}

async function report(ctx: CommandContext, onboarding: Onboarding, result: OnDemandResult): Promise<number> {
  const target = await ctx.aws.target();
  const { connectionId, location, existing } = onboarding;
  const secretName = accessTokenSecretName(target.names.secretPrefix, connectionId);
  const ok = result.outcome === 'refreshed' || result.outcome === 'adopted';
  if (ctx.values.json === true) {
    ctx.out.json({
      connectionId,
      dc: location.dc,
      accountsServer: location.accountsServer,
      clientRef: onboarding.clientRef,
      reactivated: existing !== undefined,
      secretName,
      firstRefresh: result,
    });
  } else {
    ctx.out.line(
      `${existing === undefined ? 'Registered' : 'Re-authorised'} connection '${connectionId}' (${location.dc}, ${location.accountsServer}, client app '${onboarding.clientRef}').`,
    );
    if (ok) {
      const now = Date.now();
      ctx.out.line(
        `First refresh: token version ${result.version}, expires ${relative(result.expiresAt, now)} (${timestamp(result.expiresAt)}).`,
      );
      ctx.out.line('');
      for (const line of consumerHowTo(connectionId, secretName, target.names.eventBusName))
        ctx.out.line(line);
    }
  }
  if (ok) return EXIT_OK;
  throw new OperationError(
    `the connection is stored, but its first refresh did not succeed. ${describeResult(connectionId, result)}`,
    `'zoho-tokens doctor ${connectionId}' says what to fix; 'zoho-tokens refresh ${connectionId}' tries again`,
  );
}

/** How a consumer Lambda reads the token: the contract of DESIGN.md. */
export function consumerHowTo(connectionId: string, secretName: string, eventBusName: string): string[] {
  return [
    'Consumers read the access token from Secrets Manager:',
    `  secret   ${secretName}`,
    '  value    {"access_token","api_domain","token_type","expires_at","version","connection_id"}',
    'With the consumer library (grant the Lambda grantReadToken(fn, ...) in CDK):',
    "  import { zohoTokenMiddleware } from 'zoho-token-refresher/consumer';",
    `  const zoho = zohoTokenMiddleware({ connectionId: '${connectionId}', eventBusName: '${eventBusName}' });`,
    "  // in the handler: await context.zoho.fetch('/books/v3/organizations')",
  ];
}
