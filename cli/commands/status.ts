/** `zoho-tokens status [ID]`: every connection (or one) in a table; a connection in trouble stands out. */
import { type Connection, parseConnectionId } from '../../functions/core/connection';
import { ConnectionNotFoundError } from '../../functions/core/errors';
import type { CommandSpec } from '../command';
import { type ConnectionView, viewOf } from '../connection-view';
import { EXIT_FAILED, EXIT_OK } from '../errors';
import { duration, printTable, relative, type TableRow, truncate } from '../format';
import type { Output } from '../io';

const MARK = { ok: ' ', warning: '!', trouble: '✗' } as const;

export const statusCommand: CommandSpec = {
  name: 'status',
  brief: 'Show the connections and what is wrong with them',
  examples: [
    {
      what: 'Every connection of the stack, with the credentials and region of the profile prod',
      run: 'zoho-tokens status --profile prod',
    },
    {
      what: 'One connection of a second (dev) stack, as JSON',
      run: 'zoho-tokens status acme-books --stack ZohoTokenRefresher-dev --profile dev --json',
    },
    {
      what: 'For cron: exit 1 when a connection is in trouble',
      run: 'zoho-tokens status --check --profile prod',
    },
  ],
  summary:
    'Shows the connections: data centre, status, token version, expiry, last refresh, failures, last error.',
  usage: '[ID] [--check]',
  positionals: [0, 1],
  options: {
    check: { type: 'boolean', description: 'exit 1 when a connection is in trouble (for scripts and cron)' },
  },
  details: [
    `Rows marked ${MARK.trouble} are in trouble (not active, expired, or never refreshed); ${MARK.warning} marks failing refreshes while the token still works.`,
  ],
  async run(ctx) {
    const id = ctx.positionals[0];
    const { store } = await ctx.aws.ports();
    const now = Date.now();
    let connections: Connection[];
    if (id === undefined) {
      connections = await store.listAll();
    } else {
      const one = await store.get(parseConnectionId(id));
      if (one === undefined) throw new ConnectionNotFoundError(id);
      connections = [one];
    }
    const views = connections.map((connection) => viewOf(connection, now));
    if (ctx.values.json === true) ctx.out.json(id === undefined ? views : views[0]);
    else printStatus(ctx.out, views, id !== undefined);
    const troubled = views.some((view) => view.health === 'trouble');
    return ctx.values.check === true && troubled ? EXIT_FAILED : EXIT_OK;
  },
};

function printStatus(out: Output, views: readonly ConnectionView[], single: boolean): void {
  if (views.length === 0) {
    out.line("No connections yet. Register one with 'zoho-tokens connect' or 'zoho-tokens add'.");
    return;
  }
  const now = Date.now();
  const rows: TableRow[] = views.map((view) => ({
    cells: [
      `${MARK[view.health]} ${view.connectionId}`,
      view.dc,
      view.status,
      String(view.version),
      expiresIn(view),
      view.refreshedAt === null ? 'never' : relative(Date.parse(view.refreshedAt), now),
      String(view.consecutiveFailures),
      view.lastError === null ? '' : truncate(`${view.lastError.code}: ${view.lastError.message}`, 60),
    ],
    ...(view.health === 'trouble'
      ? { styles: ['red', 'bold'] as const }
      : view.health === 'warning'
        ? { styles: ['yellow'] as const }
        : {}),
  }));
  printTable(
    out,
    ['  id', 'dc', 'status', 'version', 'expires in', 'last refresh', 'failures', 'last error'],
    rows,
  );
  const attention = views.filter((view) => view.health !== 'ok');
  if (single && views[0] !== undefined) {
    const view = views[0];
    out.line('');
    out.line(`accounts server  ${view.accountsServer}`);
    out.line(`api domain       ${view.apiDomain}`);
    out.line(`client app       ${view.clientRef}`);
    out.line(`secret writes    ${view.secretWritesLastDay} in the last 24 hours`);
    if (view.freshRejections > 0) {
      out.line(
        `fresh 401s       ${view.freshRejections} report(s) of an unexpired token, the last at ${view.lastFreshRejectionAt ?? '?'}`,
      );
    }
    out.line(
      `next refresh     ${view.status === 'active' ? relative(Date.parse(view.refreshDueAt), now) : 'not scheduled'}`,
    );
  }
  if (attention.length === 0) return;
  out.line('');
  const trouble = attention.filter((view) => view.health === 'trouble').length;
  out.line(
    out.paint(`${trouble} connection(s) in trouble, ${attention.length - trouble} with warnings:`, 'bold'),
  );
  for (const view of attention) {
    const style = view.health === 'trouble' ? 'red' : 'yellow';
    out.line(out.paint(`${MARK[view.health]} ${view.connectionId}: ${view.problem ?? ''}`, style));
    if (view.fix !== undefined) out.line(`    fix: ${view.fix}`);
  }
}

function expiresIn(view: ConnectionView): string {
  if (view.expiresInSeconds === null) return 'no token';
  if (view.expiresInSeconds <= 0) return `EXPIRED ${duration(-view.expiresInSeconds * 1000)} ago`;
  return duration(view.expiresInSeconds * 1000);
}
