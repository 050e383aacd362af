/** `zoho-tokens connect`: exchanges a Self Client grant code, stores the connection, makes the first refresh. */
import type { CommandSpec } from '../command';
import { rescueRefreshToken } from '../connect-rescue';
import { ONBOARDING_OPTIONS, prepareOnboarding, storeRefreshToken } from '../onboarding';
import { refreshAndReport } from '../onboarding-report';
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
    "A misconfigured or disabled connection keeps its refresh token: fix the cause and run 'zoho-tokens enable ID' (connect refuses it, before spending the code, so that no second token stays live at Zoho).",
    'Before the exchange, connect checks the client app, the table and that it may encrypt with the key. If storing still fails after the exchange, it revokes the new refresh token at Zoho, so nothing is left behind; only if that fails too does it hand you the token with how to store it: on stderr when that is a terminal, otherwise in a new file readable by you only (in the current directory, else the temporary one) whose path it prints.',
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
