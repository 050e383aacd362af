/** `zoho-tokens connect`: exchanges a Self Client grant code, stores the connection, makes the first refresh. */
import { CUSTOM_DC } from '../../functions/zoho/data-centres';
import { RefreshTokenAlreadyInvalidError } from '../../functions/zoho/errors';
import type { CommandContext, CommandSpec } from '../command';
import { describeFailure, OperationError } from '../errors';
import {
  ONBOARDING_OPTIONS,
  type Onboarding,
  prepareOnboarding,
  refreshAndReport,
  storeRefreshToken,
} from '../onboarding';
import { readSecret } from '../secret-input';

export const connectCommand: CommandSpec = {
  name: 'connect',
  brief: 'Exchange a Self Client grant code and register a connection',
  summary:
    'Exchanges a Zoho Self Client grant code for a refresh token, stores it encrypted, registers the connection, makes the first refresh and prints how consumers read the token. Also re-authorises a connection that needs it.',
  usage: '--id ID --client NAME --code - (--dc DC | --accounts-server URL)',
  options: {
    ...ONBOARDING_OPTIONS,
    code: {
      type: 'string',
      value: '-|CODE',
      description: "the grant code; '-' reads it from stdin (default: ZOHO_GRANT_CODE)",
    },
  },
  details: [
    'Generate the code in the Zoho API console: Self Client → Generate Code, scope e.g. ZohoBooks.fullaccess.all.',
    'A code lives 3 minutes by default and works once: exchange it at once. If it has expired, generate a new one.',
    'The code is read from stdin (--code -) or ZOHO_GRANT_CODE so it stays out of shell history.',
    'Before the exchange, connect checks the client app, the table and that it may encrypt with the key. If storing still fails after the exchange, it revokes the new refresh token at Zoho, so nothing is left behind; only if that fails too does it print the token on stderr, with how to store it.',
  ],
  async run(ctx) {
    const code = await readSecret(ctx, { option: 'code', envVar: 'ZOHO_GRANT_CODE', what: 'the grant code' });
    // Everything that can fail without spending the code is checked first: it works only once.
    const onboarding = await prepareOnboarding(ctx, connectCommand);
    const exchange = await ctx.aws.zoho(onboarding.allowed).exchangeGrantCodeForRefreshToken({
      accountsServer: onboarding.location.accountsServer,
      clientId: onboarding.client.clientId,
      clientSecret: onboarding.client.clientSecret,
      code,
    });
    // The exchange made an access token from the new refresh token: Zoho counts it in the window.
    const exchangedAt = Date.now();
    if (exchange.grant === undefined) {
      ctx.out.note(
        "warning: Zoho's answer carried an unusable expiry; the refresh token was kept and the first refresh makes the access token",
      );
    }
    try {
      await storeRefreshToken(ctx, onboarding, exchange.refreshToken, exchangedAt);
    } catch (error) {
      throw await rescueRefreshToken(ctx, onboarding, exchange.refreshToken, error);
    }
    // Stored: whatever fails from here on (the first refresh) leaves the token safe in the table.
    return refreshAndReport(ctx, onboarding);
  },
};

/**
 * Storing failed after the code was spent: the refresh token now exists only in this process.
 * Dropping it would leave a live token nobody holds, and Zoho keeps only 20 refresh tokens per user
 * and client (the 21st silently invalidates the oldest, perhaps one in use). So it is revoked: the
 * operator fixes the cause and generates a new code, and no secret is ever shown. Only when Zoho
 * cannot be reached to revoke it is the token printed, on stderr alone: then showing the secret to
 * the operator who just authorised it is the lesser evil than a live token no one can use or revoke.
 * Returns the error to throw.
 */
async function rescueRefreshToken(
  ctx: CommandContext,
  onboarding: Onboarding,
  refreshToken: string,
  cause: unknown,
): Promise<OperationError> {
  const failure = describeFailure(cause);
  const stored = `the grant code was exchanged, but storing connection '${onboarding.connectionId}' failed: ${failure.message}`;
  const fix = failure.hint === undefined ? 'fix that' : `fix that (${failure.hint})`;
  try {
    await ctx.aws.zoho(onboarding.allowed).revokeRefreshToken({
      accountsServer: onboarding.location.accountsServer,
      refreshToken,
    });
  } catch (error) {
    // Zoho no longer knowing the token is as good as revoked; anything else leaves it alive.
    if (!(error instanceof RefreshTokenAlreadyInvalidError)) {
      printRefreshToken(ctx, onboarding, refreshToken);
      return new OperationError(
        `${stored}. Revoking the new refresh token failed too (${describeFailure(error).message}): it is printed above on stderr`,
        `${fix}, then store it with the 'zoho-tokens add' line above, or revoke it in Zoho (Accounts → Connected Apps)`,
      );
    }
  }
  return new OperationError(
    `${stored}. The new refresh token was revoked at Zoho, so nothing was left behind`,
    `${fix}, then generate a new code (Zoho API console → Self Client → Generate Code) and run connect again`,
  );
}

/** The last resort of {@link rescueRefreshToken}: stderr only, never stdout or --json output. */
function printRefreshToken(ctx: CommandContext, onboarding: Onboarding, refreshToken: string): void {
  const { connectionId, clientRef, location } = onboarding;
  const where =
    location.dc === CUSTOM_DC
      ? `--accounts-server ${location.accountsServer} --allow-custom-accounts-server`
      : `--dc ${location.dc}`;
  const warn = (text: string) => ctx.io.stderr.write(`${ctx.out.paint(`!!! ${text}`, 'red', 'bold')}\n`);
  warn('WARNING: the refresh token below is live and stored NOWHERE else. Treat it as a password:');
  warn('do not paste it into tickets or chats; clear your scrollback once it is stored.');
  warn('Store it once the cause is fixed (with the same target flags: --region/--stack/--aws-endpoint):');
  warn(`  zoho-tokens add --id ${connectionId} --client ${clientRef} ${where} --refresh-token -`);
  warn('and paste it on standard input.');
  ctx.io.stderr.write(`${refreshToken}\n`);
}
