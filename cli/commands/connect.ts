/** `zoho-tokens connect`: exchanges a Self Client grant code, stores the connection, makes the first refresh. */
import type { CommandSpec } from '../command';
import { ONBOARDING_OPTIONS, prepareOnboarding, registerAndRefresh } from '../onboarding';
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
    if (exchange.grant === undefined) {
      ctx.out.note(
        "warning: Zoho's answer carried an unusable expiry; the refresh token was kept and the first refresh makes the access token",
      );
    }
    return registerAndRefresh(ctx, onboarding, exchange.refreshToken);
  },
};
