/**
 * The scheduled path run from the dev CLI against an emulator: the planner and a refresh worker run
 * in this process, with the functions' own handlers, and the local event source mapping (work.ts)
 * hands the queue to the worker as Lambda would, with progress. (Against AWS, `sweep` invokes the
 * deployed planner, and the deployed workers take the orders from the queue by themselves.)
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { AwsSession } from '../../cli/aws-session';
import type { WorkReport } from '../../cli/emulator-hooks';
import type { Output } from '../../cli/io';
import { findRefreshQueueUrl } from '../../cli/refresh-queue';
import { REFRESH_WORKER_BATCH_SIZE } from '../../functions/aws/settings';
import { ConfigurationError } from '../../functions/core/errors';
import type { PlanSummary } from '../../functions/core/plan-refreshes';
import type { MetricName, MetricUnit } from '../../functions/core/ports';
import { createPlannerHandler } from '../../functions/planner/planner-handler';
import { createRefreshWorkerHandler } from '../../functions/refresh-worker/refresh-worker-handler';
import { CountingMetrics, createInProcessPlanner, createInProcessWorker, humanLog } from './in-process';
import { deliverQueuedOrders, type QueueRef } from './work';

/** Batches the local event source mapping runs at once. */
const LOCAL_WORKER_INVOCATIONS = 4;

/**
 * Counts the outcomes of the refreshes from the metrics each one emits once at its end (the same
 * the dashboard shows), so the CLI needs nothing of the worker but what Lambda gets from it.
 */
export class RefreshTally extends CountingMetrics {
  readonly #onOutcome: (() => void) | undefined;

  constructor(onOutcome?: () => void) {
    super();
    this.#onOutcome = onOutcome;
  }

  override add(name: MetricName, value: number, unit: MetricUnit, reason?: string): void {
    super.add(name, value, unit, reason);
    if (OUTCOMES.has(name)) this.#onOutcome?.();
  }

  get refreshed(): number {
    return this.total('RefreshSucceeded');
  }

  get failed(): number {
    return (
      this.total('RefreshFailed') + this.total('BudgetExhausted') + this.total('SecretWriteBudgetExhausted')
    );
  }

  get skipped(): number {
    return this.total('RefreshSkipped') + this.total('AlreadyRefreshed');
  }
}

const OUTCOMES = new Set<MetricName>([
  'RefreshSucceeded',
  'RefreshFailed',
  'BudgetExhausted',
  'SecretWriteBudgetExhausted',
  'RefreshSkipped',
  'AlreadyRefreshed',
  'RefreshOrderFailed',
]);

export interface LocalRunOptions {
  readonly allowedAccountsServers: readonly string[];
  /** Orders expected (for the progress line); 0 or absent: what the queue holds at the start. */
  readonly expected?: number;
}

/**
 * Delivers what the local refresh queue holds to an in-process refresh worker, as the event source
 * mapping would: batches of the deployed batch size, a few at once, failed orders left for redelivery.
 */
export async function workNow(aws: AwsSession, out: Output, options: LocalRunOptions): Promise<WorkReport> {
  const queue = await localRefreshQueue(aws);
  const { sqs } = await aws.clients();
  const target = await aws.target();
  const expected = options.expected || (await depth(aws, queue.url)).waiting;
  const progress = new Progress(out, expected);
  const tally = new RefreshTally(() => progress.show(tally));
  const deps = createInProcessWorker(target, await aws.clients(), queue.url, {
    allowedAccountsServers: options.allowedAccountsServers,
    metrics: tally,
    log: humanLog((line) => out.note(line.trimEnd())),
  });
  const counts = await deliverQueuedOrders({
    sqs,
    queue,
    region: target.region,
    handler: createRefreshWorkerHandler(deps, { concurrency: REFRESH_WORKER_BATCH_SIZE }),
    batchSize: REFRESH_WORKER_BATCH_SIZE,
    concurrency: LOCAL_WORKER_INVOCATIONS,
    onError: (error) =>
      out.note(
        `error: the worker ${error instanceof Error ? `threw ${error.name}: ${error.message}` : String(error)}`,
      ),
  });
  progress.end(tally);
  return {
    delivered: counts.delivered,
    refreshed: tally.refreshed,
    failed: tally.failed,
    skipped: tally.skipped,
    leftForRedelivery: counts.failed,
    heldBack: (await depth(aws, queue.url)).delayed,
  };
}

/** One in-process planner run over everything due now or within the planner's period. */
export async function planNow(aws: AwsSession, options: LocalRunOptions): Promise<PlanSummary> {
  const queue = await localRefreshQueue(aws);
  const deps = createInProcessPlanner(await aws.target(), await aws.clients(), queue.url, {
    allowedAccountsServers: options.allowedAccountsServers,
  });
  return createPlannerHandler(deps, { mode: 'all_due' })({});
}

/**
 * The refresh queue the in-process planner fills and the local event source mapping drains; a
 * ConfigurationError saying what to do when the emulator has none.
 */
export async function localRefreshQueue(aws: AwsSession): Promise<QueueRef> {
  const target = await aws.target();
  const { sqs } = await aws.clients();
  const url = await findRefreshQueueUrl(target, sqs);
  if (url === undefined) {
    throw new ConfigurationError("the emulator has no refresh queue; run 'npm run local -- init' first");
  }
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return { url, arn: Attributes?.QueueArn ?? '' };
}

async function depth(aws: AwsSession, url: string): Promise<{ waiting: number; delayed: number }> {
  const { sqs } = await aws.clients();
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    waiting: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/**
 * `[120/2000] 118 refreshed, 2 failed`: on a terminal one line rewritten at every outcome, elsewhere
 * a line every tenth of the way (and at the end).
 */
class Progress {
  readonly #out: Output;
  readonly #expected: number;
  #done = 0;
  #printed = 0;

  constructor(out: Output, expected: number) {
    this.#out = out;
    this.#expected = expected;
    if (expected > 0) out.note(`Refreshing ${expected} queued connection(s) …`);
  }

  show(tally: RefreshTally): void {
    this.#done += 1;
    const line = this.#line(tally);
    if (this.#out.io.isTTY) this.#out.io.stderr.write(`\r${line}`);
    else if (this.#done % Math.max(1, Math.ceil(this.#expected / 10)) === 0) this.#print(line);
  }

  end(tally: RefreshTally): void {
    if (this.#done === 0) return;
    if (this.#out.io.isTTY) this.#out.io.stderr.write('\n');
    else if (this.#printed !== this.#done) this.#print(this.#line(tally));
  }

  #print(line: string) {
    this.#printed = this.#done;
    this.#out.note(line);
  }

  #line(tally: RefreshTally): string {
    return `[${this.#done}/${Math.max(this.#expected, this.#done)}] ${tally.refreshed} refreshed, ${tally.failed} failed`;
  }
}
