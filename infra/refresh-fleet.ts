/**
 * The scheduled refresh at fleet scale, on AWS's own distributed engines: a planner function that
 * EventBridge runs every minute, an SQS refresh queue that holds each order until its due time, and
 * refresh workers that a Lambda event source mapping feeds from it, at most
 * `refreshWorkerConcurrency` at once (the limit the workers' write pacer relies on). An order that
 * keeps failing lands in the refresh dead-letter queue after five deliveries; the others go on.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../functions/aws/names';
import { REFRESH_WORKER_BATCH_SIZE } from '../functions/aws/settings';
import { acknowledgeFleetQueues, acknowledgeFunction } from './nag-suppressions';
import {
  REFRESH_DEAD_LETTER_RETENTION_SECONDS,
  REFRESH_MAX_RECEIVES,
  REFRESH_QUEUE_RETENTION_SECONDS,
  refreshQueueVisibilityTimeoutSeconds,
  refreshWorkerTimeoutSeconds,
} from './refresh-queue-spec';
import { ProjectFunction, queueDestination } from './refresher-function';
import { grantPlanner } from './refresher-permissions';
import { PLANNER_RATE, type ResolvedRefresherProps } from './refresher-props';

export { REFRESH_MAX_RECEIVES, REFRESH_WORST_CASE_SECONDS } from './refresh-queue-spec';

/** The worker's timeout (see refreshWorkerTimeoutSeconds). */
export function refreshWorkerTimeout(settings: ResolvedRefresherProps): Duration {
  return Duration.seconds(refreshWorkerTimeoutSeconds(settings));
}

export interface RefreshFleetProps {
  readonly settings: ResolvedRefresherProps;
  /** The refresher functions' environment (the queue's URL is added here). */
  readonly environment: Record<string, string>;
  readonly table: dynamodb.ITable;
  /** Where a failed asynchronous planner invocation is recorded (the stack's dead-letter queue). */
  readonly deadLetterQueue: sqs.IQueue;
  readonly removalPolicy: RemovalPolicy;
}

/** The planner, the refresh queue with its dead-letter queue, and the workers. */
export class RefreshFleet extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly planner: ProjectFunction;
  readonly worker: ProjectFunction;

  constructor(scope: Construct, id: string, props: RefreshFleetProps) {
    super(scope, id);
    const { settings, removalPolicy } = props;
    const workerTimeout = refreshWorkerTimeout(settings);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(REFRESH_DEAD_LETTER_RETENTION_SECONDS),
      removalPolicy,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      // SQS-managed encryption: the orders carry KMS ciphertexts only, and the event source needs no
      // key grant.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(refreshQueueVisibilityTimeoutSeconds(settings)),
      retentionPeriod: Duration.seconds(REFRESH_QUEUE_RETENTION_SECONDS),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: REFRESH_MAX_RECEIVES },
      removalPolicy,
    });
    acknowledgeFleetQueues(this.queue, this.deadLetterQueue);

    const environment = { ...props.environment, [ENV.refreshQueueUrl]: this.queue.queueUrl };
    const operations = { logRetention: settings.logRetention, tracing: settings.tracing };
    // 512 MB (0.29 vCPU): a run at 100,000 connections reads about 2,100 items (4 MB) and sends 210
    // batches; 50 s: it must end before the next minute's run.
    this.planner = new ProjectFunction(this, 'Planner', {
      handlerName: 'planner',
      description: "zoho-token-refresher: queues the next minute's due refreshes",
      memorySize: 512,
      timeout: Duration.seconds(50),
      // One run at a time: two would queue the same minute twice.
      reservedConcurrentExecutions: 1,
      environment,
      removalPolicy,
      ...operations,
      // A run that failed is superseded by the next minute's; its catch-up queues what it missed.
      asyncInvoke: {
        retryAttempts: 0,
        maxEventAge: Duration.seconds(60),
        onFailure: queueDestination(props.deadLetterQueue),
      },
    });
    grantPlanner(this.planner.role, { table: props.table, refreshQueue: this.queue });
    acknowledgeFunction(this.planner, settings.secretPrefix, 'planner');

    // 256 MB: a batch is ten refreshes, each a few AWS calls and one Zoho call (lambda-footprint
    // bench: peak RSS 116-128 MB for a batch, no higher after five; 18-22 ms of CPU a refresh warm, at
    // 256 MB's 0.145 vCPU well inside the 500 ms write slot that paces the batch to 5 s).
    this.worker = new ProjectFunction(this, 'Worker', {
      handlerName: 'refresh-worker',
      description: 'zoho-token-refresher: refreshes the connections the planner queued',
      memorySize: 256,
      timeout: workerTimeout,
      // Reserved as well as capped by the event source: the pacing arithmetic needs that no more
      // than this many workers ever run, and no other function can starve them.
      reservedConcurrentExecutions: settings.refreshWorkerConcurrency,
      environment,
      removalPolicy,
      ...operations,
    });
    this.worker.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: REFRESH_WORKER_BATCH_SIZE,
        maxConcurrency: settings.refreshWorkerConcurrency,
        // Only orders that threw are delivered again, never the whole batch.
        reportBatchItemFailures: true,
      }),
    );

    new events.Rule(this, 'Schedule', {
      description: 'zoho-token-refresher: runs the planner',
      schedule: events.Schedule.rate(PLANNER_RATE),
      targets: [
        new targets.LambdaFunction(this.planner.fn, {
          deadLetterQueue: props.deadLetterQueue,
          // A schedule event older than the next one is worthless.
          maxEventAge: Duration.seconds(60),
          retryAttempts: 2,
        }),
      ],
    });
  }
}
