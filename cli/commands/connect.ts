/**
 * `zoho-tokens connect`: exchanges a grant code (a Self Client's, or a server-based client's with its
 * redirect URI), stores the connection, makes the first refresh.
 */
import { type CommandSpec, type OptionValues, stringOption } from '../command';
import { rescueRefreshToken } from '../connect-rescue';
import { UsageError } from '../errors';
import { ONBOARDING_OPTIONS, prepareOnboarding, storeRefreshToken } from '../onboarding';
import { refreshAndReport } from '../onboarding-report';
import { readSecret } from '../secret-input';

export const connectCommand: CommandSpec = {
  name: 'connect',
  brief: 'Exchange a grant code and register a connection',
  examples: [
    {
      what: 'Register acme-books from a Self Client code of the EU data centre; paste the code when asked',
      run: 'zoho-tokens connect --id acme-books --client books --dc eu --code - --profile prod',
    },
    {
      what: "The same with a server-based client's code, from its redirect (within 60 s)",
      run: 'zoho-tokens connect --id acme-books --client web --accounts-server https://accounts.zoho.eu --redirect-uri https://app.example.com/zoho/callback --code -',
    },
  ],
  summary:
    'Exchanges a Zoho grant code (Self Client, or server-based client with --redirect-uri) for a refresh token, stores it encrypted, registers the connection, makes the first refresh and prints how consumers read the token. Also re-authorises a connection that needs it.',
  usage: '--id ID --client NAME --code - (--dc DC | --accounts-server URL) [--redirect-uri URL]',
  options: {
    ...ONBOARDING_OPTIONS,
    code: {
      type: 'string',
      value: '-|CODE',
      description: "the grant code; '-' reads it from stdin (default: ZOHO_GRANT_CODE)",
    },
    'redirect-uri': {
      type: 'string',
      value: 'URL',
      description: "a server-based client's redirect URI, exactly as registered (a Self Client needs none)",
    },
  },
  details: [
    'Generate the code in the Zoho API console: Self Client → Generate Code, scope e.g. ZohoBooks.fullaccess.all.',
    'A code lives 3 minutes by default and works once: exchange it at once. If it has expired, generate a new one.',
    "Server-based client: open https://accounts.zoho.com/oauth/v2/auth?response_type=code&access_type=offline&prompt=consent&scope=ZohoBooks.fullaccess.all&client_id=ID&redirect_uri=URL (URL percent-encoded), sign in, and take `code` and `accounts-server` from the redirect. Then run connect with --code, --accounts-server and the same --redirect-uri within 60 seconds (a redirect code's life). Without prompt=consent a repeated authorisation grants no refresh token.",
    'The code is read from stdin (--code -) or ZOHO_GRANT_CODE so it stays out of shell history.',
    "A misconfigured or disabled connection keeps its refresh token: fix the cause and run 'zoho-tokens enable ID' (connect refuses it, before spending the code, so that no second token stays live at Zoho).",
    'Before the exchange, connect checks the client app, the table and that it may encrypt with the key. If storing still fails after the exchange, it revokes the new refresh token at Zoho, so nothing is left behind; only if that fails too does it hand you the token with how to store it: on stderr when that is a terminal, otherwise in a new file readable by you only (in the current directory, else the temporary one) whose path it prints.',
  ],
  async run(ctx) {
    const redirectUri = redirectUriOption(ctx.values);
    const code = await readSecret(ctx, { option: 'code', envVar: 'ZOHO_GRANT_CODE', what: 'the grant code' });
    // Everything that can fail without spending the code is checked first: it works only once.
    const onboarding = await prepareOnboarding(ctx, connectCommand);
    const exchange = await ctx.aws.zoho(onboarding.allowed).exchangeGrantCodeForRefreshToken({
      accountsServer: onboarding.location.accountsServer,
      clientId: onboarding.client.clientId,
      clientSecret: onboarding.client.clientSecret,
      code,
      ...(redirectUri === undefined ? {} : { redirectUri }),
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

/** `--redirect-uri`, checked before the code is read: an absolute http(s) URL, sent exactly as given. */
function redirectUriOption(values: OptionValues): string | undefined {
  const given = stringOption(values, 'redirect-uri');
  if (given === undefined) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(given).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new UsageError(
      `connect: --redirect-uri must be an absolute http(s) URL (got '${given}')`,
      "give the Authorized Redirect URI of the client in Zoho's API console, character for character",
    );
  }
  return given;
}
