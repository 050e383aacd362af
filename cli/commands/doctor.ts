/** `zoho-tokens doctor [ID]`: checks what can be checked and says what to fix, in words. */
import { parseConnectionId } from '../../functions/core/connection';
import { ConnectionNotFoundError } from '../../functions/core/errors';
import type { CommandSpec } from '../command';
import { allowCustomOption, allowedServersOf, customAllowed, usesCustomServer } from '../custom-servers';
import { type Check, guarded } from '../doctor/check';
import { clientCheck, connectionChecks, stateCheck } from '../doctor/connection-checks';
import { nodeCheck } from '../doctor/node-check';
import { stackChecks } from '../doctor/stack-checks';
import { EXIT_OK, OperationError } from '../errors';
import { checkAsRefresher } from '../handlers';
import type { Output } from '../io';

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

export const doctorCommand: CommandSpec = {
  name: 'doctor',
  brief: 'Check the setup and say what to fix',
  examples: [
    { what: 'Check the stack, its alarms and every connection', run: 'zoho-tokens doctor --profile prod' },
    {
      what: 'Let the refresher check what it needs for acme-books',
      run: 'zoho-tokens doctor acme-books --profile prod',
    },
  ],
  summary:
    "Checks the table, bus, key, alarms and their subscribers (in AWS also the functions' configuration), and the connections: state, client app at Zoho's data centre, refresh token, access-token secret. Says what to fix.",
  usage: '[ID]',
  positionals: [0, 1],
  options: { ...allowCustomOption },
  details: [
    'The client app is checked with a probe code Zoho cannot know: its answer tells a good client from a wrong data centre, client id or secret without spending a token request. Exit 1 when a check fails.',
    'With ID, the refresher itself checks that it can decrypt the refresh token and read the client app and the access-token secret, without calling Zoho: in-process against an emulator, by invoking the deployed operator function in AWS (only the refresher roles may decrypt).',
  ],
  async run(ctx) {
    const target = await ctx.aws.target();
    const clients = await ctx.aws.clients();
    const ports = await ctx.aws.ports();
    const id = ctx.positionals[0] === undefined ? undefined : parseConnectionId(ctx.positionals[0]);
    const checks = [nodeCheck(), ...(await stackChecks(target, clients))];
    if (id !== undefined) {
      const connection = await ports.store.get(id);
      if (connection === undefined) throw new ConnectionNotFoundError(id);
      const zoho = ctx.aws.zoho(allowedServersOf(ctx.values, [connection]));
      checks.push(
        ...(await connectionChecks(
          {
            target,
            ports,
            zoho,
            allowCustom: customAllowed(ctx.values),
            checkAsRefresher: (connectionId) => checkAsRefresher(ctx.aws, ctx.out, connectionId),
          },
          connection,
        )),
      );
    } else {
      checks.push(
        ...(await guarded('connections', async () => {
          const connections = await ports.store.listAll();
          const zoho = ctx.aws.zoho(allowedServersOf(ctx.values, connections));
          const found: Check[] = connections.map((connection) => stateCheck(connection));
          // One probe per client app and accounts server, however many connections share them.
          const pairs = new Map(connections.map((c) => [`${c.clientRef} ${c.accountsServer}`, c]));
          const allowCustom = customAllowed(ctx.values);
          for (const connection of pairs.values()) {
            if (usesCustomServer(connection) && !allowCustom) continue;
            found.push(
              ...(await guarded(`client app ${connection.clientRef}`, () =>
                clientCheck({ ports, zoho }, connection),
              )),
            );
          }
          return found;
        })),
      );
    }
    const failed = checks.filter((check) => check.status === 'fail').length;
    const warned = checks.filter((check) => check.status === 'warn').length;
    if (ctx.values.json === true) ctx.out.json({ ok: failed === 0, failed, warnings: warned, checks });
    else print(ctx.out, checks, failed, warned);
    if (failed > 0)
      throw new OperationError(`doctor found ${failed} problem(s)`, 'each ✗ above says what to fix');
    return EXIT_OK;
  },
};

function print(out: Output, checks: readonly Check[], failed: number, warned: number): void {
  for (const check of checks) {
    const style = check.status === 'ok' ? 'green' : check.status === 'warn' ? 'yellow' : 'red';
    out.line(out.paint(`${MARK[check.status]} ${check.name}: ${check.message}`, style));
    if (check.fix !== undefined) out.line(`    fix: ${check.fix}`);
  }
  out.line('');
  out.line(
    failed === 0 && warned === 0
      ? 'Everything checked is fine.'
      : out.paint(
          `${failed} problem(s), ${warned} warning(s).`,
          'bold',
          ...(failed > 0 ? (['red'] as const) : []),
        ),
  );
}
