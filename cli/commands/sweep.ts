/** `zoho-tokens sweep`: one run of the scheduled handler, with progress over many connections. */
import type { MetricName, Metrics, MetricUnit } from '../../functions/core/ports';
import type { SweepSummary } from '../../functions/core/sweep';
import type { CommandSpec } from '../command';
import { allowCustomOption, allowedServersOf, refuseUnallowedCustomServers } from '../custom-servers';
import { EXIT_OK, OperationError } from '../errors';
import { sweepNow } from '../handlers';
import type { Output } from '../io';
import { CountingMetrics } from '../local/in-process';

export const sweepCommand: CommandSpec = {
  name: 'sweep',
  brief: 'Refresh every connection that is due',
  examples: [
    {
      what: 'Run one scheduled sweep now and print its summary as JSON',
      run: 'zoho-tokens sweep --profile prod --json',
    },
  ],
  summary:
    'Refreshes every connection that is due, like the scheduled function: in-process against an emulator, or by invoking the deployed scheduled function.',
  usage: '',
  options: { ...allowCustomOption },
  async run(ctx) {
    const target = await ctx.aws.target();
    // Only an emulator's table is trusted to name custom servers; in AWS the function decides.
    const connections = target.local ? await (await ctx.aws.ports()).store.listAll() : [];
    refuseUnallowedCustomServers(ctx.values, connections);
    const allowed = allowedServersOf(ctx.values, connections);
    const summary = await sweepNow(ctx.aws, ctx.out, {
      allowedAccountsServers: allowed,
      metrics: new SweepProgress(ctx.out),
    });
    if (ctx.values.json === true) ctx.out.json(summary);
    else ctx.out.line(describeSweep(summary));
    if (summary.failed > 0) {
      throw new OperationError(
        `${summary.failed} of ${summary.attempted} refreshes failed`,
        "'zoho-tokens status' shows which, 'zoho-tokens history <id>' why",
      );
    }
    return EXIT_OK;
  },
};

export function describeSweep(s: SweepSummary): string {
  return `Sweep: ${s.due} due, ${s.refreshed} refreshed, ${s.failed} failed, ${s.skipped} skipped, ${s.expired} had expired, ${s.leftForNextSweep} left for the next sweep.`;
}

/**
 * Progress of an in-process sweep, read from the metrics the use case emits anyway: the number due,
 * then one terminal metric per attempt. On a terminal one line is rewritten; elsewhere a line is
 * printed every tenth of the way.
 */
class SweepProgress extends CountingMetrics implements Metrics {
  readonly #out: Output;
  #due = 0;
  #done = 0;
  #failed = 0;

  constructor(out: Output) {
    super();
    this.#out = out;
  }

  override add(name: MetricName, value: number, unit: MetricUnit, reason?: string): void {
    super.add(name, value, unit, reason);
    if (name === 'SweepConnections') {
      this.#due = value;
      if (value > 0) this.#out.note(`Sweeping ${value} due connection(s) …`);
      return;
    }
    if (
      ![
        'RefreshSucceeded',
        'RefreshFailed',
        'BudgetExhausted',
        'RefreshSkipped',
        'AlreadyRefreshed',
      ].includes(name)
    )
      return;
    this.#done += 1;
    if (name === 'RefreshFailed' || name === 'BudgetExhausted') this.#failed += 1;
    const line = `[${this.#done}/${this.#due}] ${this.#failed} failed`;
    if (this.#out.io.isTTY) {
      this.#out.io.stderr.write(`\r${line}${this.#done >= this.#due ? '\n' : ''}`);
    } else if (this.#done === this.#due || this.#done % Math.max(1, Math.ceil(this.#due / 10)) === 0) {
      this.#out.note(line);
    }
  }
}
