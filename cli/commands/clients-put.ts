/** `zoho-tokens clients put`: stores a Zoho client app's id and secret (per data centre where they differ). */
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type ClientApp, parseClientApp, putClientCredentials } from '../../functions/aws/client-credentials';
import { clientSecretName, parseClientName } from '../../functions/aws/names';
import { CUSTOM_DC, ZOHO_DATA_CENTRES } from '../../functions/zoho/data-centres';
import { type CommandSpec, requiredOption, stringOption } from '../command';
import { EXIT_OK, UsageError } from '../errors';
import { readSecret } from '../secret-input';

const KNOWN_DCS = [...ZOHO_DATA_CENTRES.map((entry) => entry.dc), CUSTOM_DC];

export const clientsPutCommand: CommandSpec = {
  name: 'clients put',
  brief: "Store a Zoho client app's id and secret",
  examples: [
    {
      what: "Store the client app 'books' (a Self Client's id); paste its secret when asked",
      run: 'zoho-tokens clients put --client books --client-id 1000.XXXXXXXXXXXXXXXX --client-secret - --profile prod',
    },
    {
      what: 'Rotate its secret for the EU data centre only, from a file',
      run: 'zoho-tokens clients put --client books --client-id 1000.XXXXXXXXXXXXXXXX --client-secret - --dc eu < books-eu-secret.txt',
    },
  ],
  summary: 'Stores a Zoho client app (client id + secret) that connections refer to with --client.',
  usage: '--client NAME --client-id ID --client-secret - [--dc DC]',
  options: {
    client: { type: 'string', value: 'NAME', description: 'name of the client app, e.g. books' },
    'client-id': { type: 'string', value: 'ID', description: 'the client id from the Zoho API console' },
    'client-secret': {
      type: 'string',
      value: '-|SECRET',
      description: "the client secret; '-' reads it from stdin (default: ZOHO_CLIENT_SECRET)",
    },
    dc: {
      type: 'string',
      value: 'DC',
      description: `store the secret for this data centre only (${KNOWN_DCS.join(', ')}); the client id is the same everywhere`,
    },
  },
  details: [
    'The secret is read from stdin (--client-secret -) or ZOHO_CLIENT_SECRET so it stays out of shell history.',
    'Run it again to rotate the secret; refreshers pick the change up within 5 minutes.',
    "NAME is 1-64 letters, digits, '.', '_' or '-'; names starting with 'access-token' are reserved (the consumers' secret pattern would reach them).",
  ],
  async run(ctx) {
    // Checked before the secret is read: a reserved name must never get that far.
    const name = parseClientName(requiredOption(ctx.values, 'client', clientsPutCommand));
    const dc = stringOption(ctx.values, 'dc')?.trim().toLowerCase();
    if (dc !== undefined && !KNOWN_DCS.includes(dc)) {
      throw new UsageError(
        `unknown data centre ${JSON.stringify(dc.slice(0, 20))}`,
        `known: ${KNOWN_DCS.join(', ')}`,
      );
    }
    const secret = await readSecret(ctx, {
      option: 'client-secret',
      envVar: 'ZOHO_CLIENT_SECRET',
      what: 'the client secret',
    });
    const target = await ctx.aws.target();
    const { secretsManager } = await ctx.aws.clients();
    const existing = await readClientApp(secretsManager, target.names.secretPrefix, name);
    const clientId = stringOption(ctx.values, 'client-id')?.trim() || existing?.clientId;
    if (clientId === undefined) {
      throw new UsageError(`clients put: --client-id is required for a new client app '${name}'`);
    }
    const app: ClientApp =
      dc === undefined
        ? { clientId, clientSecret: secret, ...byDc(existing?.clientSecretsByDc) }
        : {
            clientId,
            clientSecret: existing?.clientSecret ?? secret,
            clientSecretsByDc: { ...existing?.clientSecretsByDc, [dc]: secret },
          };
    const action = await putClientCredentials(secretsManager, target.names.secretPrefix, name, app);
    const perDc = Object.keys(app.clientSecretsByDc ?? {}).sort();
    if (ctx.values.json === true) {
      ctx.out.json({
        client: name,
        clientId,
        action,
        secretName: clientSecretName(target.names.secretPrefix, name),
        dcSecrets: perDc,
      });
    } else {
      ctx.out.line(
        `${action === 'created' ? 'Stored' : 'Updated'} client app '${name}' (client id ${clientId})${dc === undefined ? '' : ` with its secret for ${dc}`}.`,
      );
      if (perDc.length > 0) ctx.out.line(`Data centres with their own secret: ${perDc.join(', ')}.`);
      ctx.out.line(`Connections use it with --client ${name}.`);
    }
    return EXIT_OK;
  },
};

const byDc = (secrets: Readonly<Record<string, string>> | undefined) =>
  secrets === undefined ? {} : { clientSecretsByDc: secrets };

/** The stored app, or undefined when there is none yet. */
export async function readClientApp(
  client: SecretsManagerClient,
  prefix: string,
  name: string,
): Promise<ClientApp | undefined> {
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: clientSecretName(prefix, name) }));
    return parseClientApp(name, output.SecretString);
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}
