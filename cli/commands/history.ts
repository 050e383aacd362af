/** `zoho-tokens history ID`: the refresh attempts of a connection, newest first. */
import { parseConnectionId } from '../../functions/core/connection';
import { ConnectionNotFoundError } from '../../functions/core/errors';
import { type CommandSpec, integerOption } from '../command';
import { EXIT_OK, UsageError } from '../errors';
import { printTable, timestamp, truncate } from '../format';

const FAILED_OUTCOMES = new Set([
  'throttled',
  'budget_exhausted',
  'transient_error',
  'reauthorization_required',
  'misconfigured',
]);

export const historyCommand: CommandSpec = {
  name: 'history',
  brief: 'Show the refresh attempts of a connection',
  examples: [
    {
      what: 'The last five refresh attempts of acme-books',
      run: 'zoho-tokens history acme-books --limit 5 --profile prod',
    },
  ],
  summary:
    'Shows the refresh attempts of a connection, newest first: time, trigger, outcome, Zoho error, duration.',
  usage: 'ID [--limit N]',
  positionals: [1, 1],
  options: {
    limit: { type: 'string', value: 'N', description: 'at most N attempts (default 20; kept 30 days)' },
  },
  async run(ctx) {
    const id = parseConnectionId(ctx.positionals[0]);
    const limit = integerOption(ctx.values, 'limit', 20) ?? 20;
    if (limit < 1) throw new UsageError('--limit must be at least 1');
    const { store } = await ctx.aws.ports();
    if ((await store.get(id)) === undefined) throw new ConnectionNotFoundError(id);
    const entries = await store.listHistory(id, limit);
    if (ctx.values.json === true) {
      ctx.out.json(entries.map((entry) => ({ ...entry, at: new Date(entry.at).toISOString() })));
      return EXIT_OK;
    }
    if (entries.length === 0) {
      ctx.out.line(`No refresh attempts of '${id}' recorded yet.`);
      return EXIT_OK;
    }
    printTable(
      ctx.out,
      ['time', 'trigger', 'outcome', 'version', 'zoho error', 'duration', 'zoho calls', 'message'],
      entries.map((entry) => ({
        cells: [
          timestamp(entry.at),
          entry.trigger,
          entry.outcome,
          String(entry.version),
          entry.errorCode ?? '',
          `${entry.durationMs} ms`,
          String(entry.zohoCalls),
          truncate(entry.message ?? '', 70),
        ],
        ...(FAILED_OUTCOMES.has(entry.outcome) ? { styles: ['red'] as const } : {}),
      })),
    );
    return EXIT_OK;
  },
};
