/**
 * `zoho-tokens link create`: a single-use link that lets a customer authorise a connection on
 * Zoho's own consent page, through the stack's connect endpoint. The operator never sees a code or
 * a token; the link itself is the only secret, and it works once.
 */

import { cryptoLinkStates } from '../../functions/aws/link-states';
import { DynamoDbLinkStore } from '../../functions/aws/link-store';
import { parseClientName } from '../../functions/aws/names';
import {
  createConnectLink,
  DEFAULT_LINK_LIFETIME_MS,
  DEFAULT_LINK_SCOPE,
} from '../../functions/core/connect-link';
import { parseConnectionId } from '../../functions/core/connection';
import { systemClock } from '../../functions/core/ports';
import { resolveDataCentre } from '../../functions/zoho/data-centres';
import { type CommandSpec, requiredOption, stringOption } from '../command';
import { customAllowed } from '../custom-servers';
import { EXIT_OK, OperationError, UsageError } from '../errors';
import { relative, timestamp } from '../format';
import { ONBOARDING_OPTIONS } from '../onboarding';
import { parseLinkLifetime } from './link-lifetime';

export const linkCreateCommand: CommandSpec = {
  name: 'link create',
  brief: 'Make a single-use link a customer opens to connect their Zoho account',
  examples: [
    {
      what: 'A link for a new customer in the EU data centre, valid 30 minutes',
      run: 'zoho-tokens link create --id acme-books --client web --dc eu --profile prod',
    },
    {
      what: 'A re-authorisation link for a connection Zoho stopped honouring, valid 3 days, as JSON',
      run: 'zoho-tokens link create --id acme-books --client web --dc eu --reauthorize --expires-in 3d --json',
    },
  ],
  summary:
    "Stores a single-use link state bound to the connection id, client app and data centre, and prints the link to send to the customer. The customer opens it, consents on Zoho, and the stack's connect endpoint stores the connection exactly as 'connect' does (encrypted refresh token, first refresh, events).",
  usage:
    '--id ID --client NAME (--dc DC | --accounts-server URL) [--scope SCOPES] [--expires-in DURATION] [--base-url URL] [--reauthorize]',
  options: {
    ...ONBOARDING_OPTIONS,
    scope: {
      type: 'string',
      value: 'SCOPES',
      description: `Zoho scopes, comma-separated (default ${DEFAULT_LINK_SCOPE})`,
    },
    'expires-in': {
      type: 'string',
      value: 'DURATION',
      description: 'how long the link works: 30m, 2h, 3d (default 30m; 1m to 7d)',
    },
    'base-url': {
      type: 'string',
      value: 'URL',
      description: "the connect endpoint (default: the stack's ConnectBaseUrl output)",
    },
    reauthorize: {
      type: 'boolean',
      description: 'let the link replace the refresh token of an existing connection, even an active one',
    },
  },
  details: [
    "The client app must be a server-based client in Zoho's API console (Self Clients have no redirect), with the stack's ConnectRedirectUri output as an Authorized Redirect URI, stored with 'clients put'.",
    'The link is a one-time password: anyone who opens it can connect their Zoho account under this id. It works once and expires; only a hash of it is stored.',
    'Without --reauthorize a link refuses an id that is active (or still holds a refresh token Zoho honours); it re-authorises one that needs it (reauthorization_required, revoked). With --reauthorize it replaces the token and revokes the old one at Zoho.',
    "The customer sees Zoho's consent page, then a page of the endpoint saying it worked (or what went wrong and to ask for a new link); the connection is then active with a token.",
  ],
  async run(ctx) {
    const connectionId = parseConnectionId(requiredOption(ctx.values, 'id', linkCreateCommand));
    const clientRef = parseClientName(requiredOption(ctx.values, 'client', linkCreateCommand));
    const dc = stringOption(ctx.values, 'dc');
    const accountsServer = stringOption(ctx.values, 'accounts-server');
    if ((dc === undefined) === (accountsServer === undefined)) {
      throw new UsageError(
        'link create: give exactly one of --dc or --accounts-server',
        `usage: zoho-tokens link create ${linkCreateCommand.usage}`,
      );
    }
    const location = resolveDataCentre({
      ...(dc === undefined ? {} : { dc }),
      ...(accountsServer === undefined ? {} : { accountsServer }),
      allowedCustomServers: customAllowed(ctx.values) && accountsServer !== undefined ? [accountsServer] : [],
    });
    const lifetimeMs = parseLinkLifetime(stringOption(ctx.values, 'expires-in')) ?? DEFAULT_LINK_LIFETIME_MS;
    const reauthorize = ctx.values.reauthorize === true;
    const target = await ctx.aws.target();
    const baseUrl = stringOption(ctx.values, 'base-url') ?? target.names.connectBaseUrl;
    if (baseUrl === undefined) {
      throw new UsageError(
        'link create: no connect endpoint is known',
        "deploy the stack with the connect endpoint (prop connectEndpoint: true), or give --base-url (locally: the URL 'npm run local -- connect-server' prints)",
      );
    }
    const { store, credentials } = await ctx.aws.ports();
    // Whatever would make the link fail for the customer is refused here, for the operator to fix.
    const existing = await store.get(connectionId);
    if (existing !== undefined) {
      if (existing.accountsServer !== location.accountsServer || existing.clientRef !== clientRef) {
        throw new OperationError(
          `connection '${connectionId}' belongs to ${existing.accountsServer} with client app '${existing.clientRef}'`,
          'make the link for that data centre and client app, or choose another --id',
        );
      }
      const mayReauthorize = existing.status === 'reauthorization_required' || existing.status === 'revoked';
      if (!reauthorize && !mayReauthorize) {
        throw new OperationError(
          `connection '${connectionId}' is ${existing.status}: a link would be refused`,
          'add --reauthorize to replace its refresh token (the old one is revoked at Zoho), or choose another --id',
        );
      }
    }
    await credentials.get(clientRef, location.dc);
    const { dynamodb } = await ctx.aws.clients();
    const link = await createConnectLink(
      {
        links: new DynamoDbLinkStore({ client: dynamodb, tableName: target.names.tableName }),
        states: cryptoLinkStates,
        clock: systemClock,
      },
      baseUrl,
      {
        connectionId,
        clientRef,
        location,
        lifetimeMs,
        reauthorize,
        ...(stringOption(ctx.values, 'scope') === undefined
          ? {}
          : { scope: stringOption(ctx.values, 'scope') }),
      },
    );
    if (ctx.values.json === true) {
      ctx.out.json({ url: link.url, expiresAt: new Date(link.expiresAt).toISOString(), connectionId });
      return EXIT_OK;
    }
    ctx.out.line(link.url);
    ctx.out.note(
      `Send this link to the customer of '${connectionId}' (${location.dc}, client app '${clientRef}'${reauthorize ? ', re-authorisation' : ''}). It works once, until ${timestamp(link.expiresAt)} (${relative(link.expiresAt, Date.now())}); treat it like a password.`,
    );
    return EXIT_OK;
  },
};
