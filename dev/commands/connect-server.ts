/**
 * `npm run local -- connect-server`: the connect endpoint's handler on a loopback port, against the
 * emulator, until Ctrl-C. With the Zoho simulator's consent page it runs the whole link flow locally.
 */

import { type CommandSpec, integerOption } from '../../cli/command';
import { allowCustomOption, customAllowed } from '../../cli/custom-servers';
import { EXIT_OK } from '../../cli/errors';
import { accountsServerResolver } from '../../functions/aws/connect-wiring';
import { cryptoLinkStates } from '../../functions/aws/link-states';
import { DynamoDbLinkStore } from '../../functions/aws/link-store';
import { DynamoDbRequestLimiter } from '../../functions/aws/request-limiter';
import { redirectUriOf } from '../../functions/core/connect-link';
import { startConnectServer } from '../connect-server';
import { createInProcessRefresher, humanLog } from '../emulator/in-process';
import { requireEndpoint } from './init';

export const connectServerCommand: CommandSpec = {
  name: 'connect-server',
  brief: 'Serve the connect endpoint (links) against the emulator',
  examples: [
    {
      what: 'Serve connect links on port 8790 for connections on the Zoho simulator',
      run: 'npm run local -- connect-server --port 8790 --aws-endpoint http://127.0.0.1:5000 --allow-custom-accounts-server',
    },
  ],
  summary:
    "Runs the connect endpoint's handler (GET /connect, GET /callback) on a loopback port against the emulator, as the deployed Function URL would, until Ctrl-C. Make links for it with 'zoho-tokens link create --base-url <the printed URL>'.",
  usage: '--aws-endpoint URL [--port PORT] [--allow-custom-accounts-server]',
  target: 'emulator',
  options: {
    port: {
      type: 'string',
      value: 'PORT',
      description: 'the port to listen on (default 8790; 0 picks a free one)',
    },
    ...allowCustomOption,
  },
  details: [
    "The Zoho client app must list <printed URL>/callback as a redirect URI; the Zoho simulator's consent page accepts any.",
    '--allow-custom-accounts-server lets a callback use a loopback accounts server (the Zoho simulator), and nothing else outside Zoho.',
  ],
  async run(ctx) {
    requireEndpoint(ctx, 'connect-server');
    const target = await ctx.aws.target();
    const { dynamodb } = await ctx.aws.clients();
    const log = humanLog((line) => ctx.out.note(line.trimEnd()));
    const tableName = target.names.tableName;
    const server = await startConnectServer({
      port: integerOption(ctx.values, 'port', 8790) ?? 8790,
      allowLoopbackAccountsServers: customAllowed(ctx.values),
      dependencies: async (allowed) => ({
        ...createInProcessRefresher(target, await ctx.aws.clients(), {
          allowedAccountsServers: allowed,
          log,
        }),
        links: new DynamoDbLinkStore({ client: dynamodb, tableName }),
        states: cryptoLinkStates,
        limiter: new DynamoDbRequestLimiter({ client: dynamodb, tableName }),
        resolveAccountsServer: accountsServerResolver(allowed),
      }),
    });
    if (ctx.values.json === true) {
      ctx.out.json({ baseUrl: server.baseUrl, redirectUri: redirectUriOf(server.baseUrl) });
    } else {
      ctx.out.line(`Connect endpoint: ${server.baseUrl}  (redirect URI ${redirectUriOf(server.baseUrl)})`);
      ctx.out.note('Ctrl-C stops it.');
    }
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.stop();
    return EXIT_OK;
  },
};
