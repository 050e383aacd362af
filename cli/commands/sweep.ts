/**
 * `zoho-tokens sweep`: one planner run over every connection due now, as an operator's "refresh what
 * is due". Against an emulator the queued orders are then refreshed in this process, with progress;
 * against AWS the deployed workers take them from the queue.
 */
import type { CommandSpec } from '../command';
import { allowCustomOption, allowedServersOf, refuseUnallowedCustomServers } from '../custom-servers';
import type { WorkReport } from '../emulator-hooks';
import { EXIT_OK, OperationError } from '../errors';
import { type SweepReport, sweepNow } from '../handlers';
import { describeDepth } from '../refresh-queue';

export const sweepCommand: CommandSpec = {
  name: 'sweep',
  brief: 'Refresh every connection that is due',
  examples: [
    {
      what: 'Queue every due connection for the deployed workers and print the summary as JSON',
      run: 'zoho-tokens sweep --profile prod --json',
    },
  ],
  summary:
    'Plans every connection due now (or within the minute) into the refresh queue, as the scheduled planner does each minute. Against an emulator an in-process worker then refreshes what is due, as the deployed workers would; against AWS it invokes the deployed planner and the workers take the orders from the queue.',
  usage: '',
  options: { ...allowCustomOption },
  details: [
    "Against AWS it returns once the orders are queued: 'zoho-tokens status' shows the queue draining. Against an emulator, orders due within the minute stay queued until due; 'npm run local -- work' delivers them then.",
  ],
  async run(ctx) {
    const target = await ctx.aws.target();
    // Only an emulator's table is trusted to name custom servers; in AWS the function decides.
    const connections = target.local ? await (await ctx.aws.ports()).store.listAll() : [];
    refuseUnallowedCustomServers(ctx.values, connections);
    const report = await sweepNow(ctx.aws, ctx.out, {
      allowedAccountsServers: allowedServersOf(ctx.values, connections),
    });
    if (ctx.values.json === true) ctx.out.json(report);
    else ctx.out.line(describeSweep(report));
    const failed = report.work === undefined ? 0 : report.work.failed + report.work.leftForRedelivery;
    if (failed > 0) {
      throw new OperationError(
        `${failed} of ${report.work?.delivered ?? 0} refreshes failed`,
        "'zoho-tokens status' shows which, 'zoho-tokens history <id>' why",
      );
    }
    if (report.plan.notQueued > 0) {
      throw new OperationError(
        `${report.plan.notQueued} refresh order(s) could not be queued`,
        "the planner queues them again at its next runs; 'zoho-tokens doctor' checks the refresh queue",
      );
    }
    return EXIT_OK;
  },
};

/** The summary line: what was due, and what became of it (locally) or where it waits (AWS). */
export function describeSweep(report: SweepReport): string {
  const { plan, work, queue } = report;
  const planned = `${plan.overdue} due (${plan.upcoming} more within the minute)`;
  if (work !== undefined) return `Sweep: ${planned}: ${describeWork(work)}`;
  return `Sweep: ${planned} queued for the refresh workers${queue === undefined ? '' : `; refresh queue: ${describeDepth(queue)}`}.`;
}

/** `12 refreshed, 0 failed, 0 skipped; 2 held back until due.` */
export function describeWork(work: WorkReport): string {
  const redelivery =
    work.leftForRedelivery === 0 ? '' : `; ${work.leftForRedelivery} left on the queue for redelivery`;
  const held = work.heldBack === 0 ? '' : `; ${work.heldBack} held back until due`;
  return `${work.refreshed} refreshed, ${work.failed} failed, ${work.skipped} skipped${redelivery}${held}.`;
}
