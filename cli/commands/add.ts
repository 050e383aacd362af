/** `zoho-tokens add`: registers a connection from a refresh token the user already has. */
import type { CommandSpec } from '../command';
import { ONBOARDING_OPTIONS, prepareOnboarding, registerAndRefresh } from '../onboarding';
import { readSecret } from '../secret-input';

export const addCommand: CommandSpec = {
  name: 'add',
  brief: 'Register a connection from an existing refresh token',
  examples: [
    {
      what: 'Register acme-books from a refresh token you hold, read from a file',
      run: 'zoho-tokens add --id acme-books --client books --dc eu --refresh-token - --profile prod < refresh-token.txt',
    },
  ],
  summary:
    'Registers a connection from an existing refresh token: stores it encrypted and makes the first refresh. For a connection that is revoked or needs re-authorisation, replaces its refresh token and reactivates it.',
  usage: '--id ID --client NAME --refresh-token - (--dc DC | --accounts-server URL)',
  options: {
    ...ONBOARDING_OPTIONS,
    'refresh-token': {
      type: 'string',
      value: '-|TOKEN',
      description: "the refresh token; '-' reads it from stdin (default: ZOHO_REFRESH_TOKEN)",
    },
  },
  details: [
    'The refresh token is read from stdin (--refresh-token -) or ZOHO_REFRESH_TOKEN so it stays out of shell history; on a terminal what you paste is not shown.',
    "A misconfigured or disabled connection keeps its refresh token (Zoho still honours it, and a second one would stay live there): fix the cause and run 'zoho-tokens enable ID'; add refuses it.",
  ],
  async run(ctx) {
    const refreshToken = await readSecret(ctx, {
      option: 'refresh-token',
      envVar: 'ZOHO_REFRESH_TOKEN',
      what: 'the refresh token',
    });
    const onboarding = await prepareOnboarding(ctx, addCommand);
    return registerAndRefresh(ctx, onboarding, refreshToken);
  },
};
