/**
 * The local stand-in for the stack's SQS event source mapping on the refresh queue: receives the
 * queued refresh orders and hands them to the worker handler in batches, as Lambda would, with its
 * partial-batch semantics (ReportBatchItemFailures): the messages the handler did not list as failed
 * are deleted; the failed ones stay on the queue, invisible for the visibility timeout, and are
 * delivered again after it (after the redrive policy's receive count, SQS moves them to the
 * dead-letter queue). A handler that throws, or answers with an identifier that is not one of the
 * batch's, fails the whole batch, as in Lambda.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ZohoTokenRefresherError } from '../../functions/core/errors';

/** The worker function as the event source mapping invokes it. */
export type SqsBatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

/** The queue the mapping reads. */
export interface QueueRef {
  readonly url: string;
  readonly arn: string;
}

/** What one invocation did. */
export interface BatchOutcome {
  /** Messages in the batch. */
  readonly delivered: number;
  /** Deleted: the handler did not report them as failed. */
  readonly succeeded: number;
  /** Left on the queue for redelivery. */
  readonly failed: number;
}

/** What a whole delivery did. */
export interface DeliveryCounts extends BatchOutcome {
  /** Handler invocations (batches). */
  readonly invocations: number;
}

export interface DeliverOptions {
  readonly sqs: SQSClient;
  readonly queue: QueueRef;
  /** The region the records name (`awsRegion`). */
  readonly region: string;
  readonly handler: SqsBatchHandler;
  /** Most messages per invocation, as the mapping's BatchSize. @default 10 */
  readonly batchSize?: number;
  /** Invocations running at once, as the mapping's maximum concurrency. @default 4 */
  readonly concurrency?: number;
  /** Stop receiving after this many messages, so a producer that never stops cannot keep it running. @default 100_000 */
  readonly maxMessages?: number;
  /** How long a received message stays invisible. @default the queue's own visibility timeout */
  readonly visibilityTimeoutSeconds?: number;
  /** Called after each invocation. */
  readonly onBatch?: (outcome: BatchOutcome) => void;
  /** Called with what made a whole batch fail (a handler error, a malformed answer) or a delete fail. */
  readonly onError?: (error: unknown) => void;
}

/** SQS hands out at most 10 messages per receive. */
const RECEIVE_MAX = 10;

/** A handler's answer Lambda cannot use: the whole batch counts as failed. */
export class MalformedBatchResponseError extends ZohoTokenRefresherError {
  constructor(detail: string) {
    super('malformed_batch_response', `the worker answered with a malformed batch response: ${detail}`);
  }
}

/** A message the handler was done with could not be deleted: SQS delivers it again later. */
export class UndeletedMessageError extends ZohoTokenRefresherError {
  constructor(code: string) {
    super('message_not_deleted', `a delivered message could not be deleted (${code}); it is delivered again`);
  }
}

/**
 * Delivers what is visible on the queue until a receive comes back empty (or `maxMessages`), with
 * `concurrency` invocations at once. Delayed messages and messages in flight elsewhere are left for
 * a later run, as they are not yet Lambda's either.
 */
export async function deliverQueuedOrders(options: DeliverOptions): Promise<DeliveryCounts> {
  const batchSize = options.batchSize ?? RECEIVE_MAX;
  const max = options.maxMessages ?? 100_000;
  const counts = { invocations: 0, delivered: 0, succeeded: 0, failed: 0 };
  let claimed = 0;
  // One receive at a time, invocations in parallel: moto hands a message to two concurrent receives
  // now and then (it checks and marks visibility without a lock), and a local run should deliver
  // exactly what SQS would in the normal case. SQS's own rare duplicates are the lease's business.
  let receiving: Promise<unknown> = Promise.resolve();
  const receiveInTurn = (wanted: number) => {
    const turn = receiving.then(() => receiveBatch(options, wanted));
    receiving = turn.catch(() => undefined);
    return turn;
  };

  const poller = async () => {
    while (claimed < max) {
      const wanted = Math.min(batchSize, max - claimed);
      claimed += wanted;
      const messages = await receiveInTurn(wanted);
      // Unclaim what the queue did not have, so another poller may take it.
      claimed -= wanted - messages.length;
      if (messages.length === 0) return;
      const outcome = await invoke(options, messages);
      counts.invocations += 1;
      counts.delivered += outcome.delivered;
      counts.succeeded += outcome.succeeded;
      counts.failed += outcome.failed;
      options.onBatch?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, poller));
  return counts;
}

/** Up to `wanted` messages, in as many receives as it takes (a BatchSize above 10 needs several). */
async function receiveBatch(options: DeliverOptions, wanted: number): Promise<Message[]> {
  const messages: Message[] = [];
  while (messages.length < wanted) {
    const { Messages = [] } = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queue.url,
        MaxNumberOfMessages: Math.min(RECEIVE_MAX, wanted - messages.length),
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        ...(options.visibilityTimeoutSeconds === undefined
          ? {}
          : { VisibilityTimeout: options.visibilityTimeoutSeconds }),
      }),
    );
    messages.push(...Messages);
    if (Messages.length === 0) break;
  }
  return messages;
}

/** One invocation: the handler, then the deletes of what it did not report as failed. */
async function invoke(options: DeliverOptions, messages: readonly Message[]): Promise<BatchOutcome> {
  const records = messages.map((message) => toRecord(message, options));
  let failedIds: ReadonlySet<string>;
  try {
    failedIds = failuresOf(await options.handler({ Records: records }), records);
  } catch (error) {
    options.onError?.(error);
    failedIds = new Set(records.map((record) => record.messageId));
  }
  const done = records.filter((record) => !failedIds.has(record.messageId));
  await deleteMessages(options, done);
  return { delivered: records.length, succeeded: done.length, failed: records.length - done.length };
}

/**
 * The failed message ids of an answer. Nothing (or an empty list) means every message succeeded; an
 * identifier that names no message of the batch makes Lambda fail the whole batch, and so does this.
 */
function failuresOf(response: SQSBatchResponse | undefined, records: readonly SQSRecord[]) {
  const failures = response?.batchItemFailures ?? [];
  if (!Array.isArray(failures)) throw new MalformedBatchResponseError('batchItemFailures is not a list');
  const ids = new Set(records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id: unknown = failure?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) {
      throw new MalformedBatchResponseError(
        `itemIdentifier ${JSON.stringify(id)} is no message of the batch`,
      );
    }
    failed.add(id);
  }
  return failed;
}

async function deleteMessages(options: DeliverOptions, records: readonly SQSRecord[]): Promise<void> {
  for (let start = 0; start < records.length; start += RECEIVE_MAX) {
    const chunk = records.slice(start, start + RECEIVE_MAX);
    const { Failed = [] } = await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queue.url,
        Entries: chunk.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
      }),
    );
    // Not deleted: delivered again after the visibility timeout, a duplicate the lease absorbs.
    for (const failure of Failed) {
      options.onError?.(new UndeletedMessageError(failure.Code ?? 'unknown'));
    }
  }
}

/** The record Lambda builds from a received message. */
function toRecord(message: Message, options: DeliverOptions): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? 'String',
          ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queue.arn,
    awsRegion: options.region,
  };
}
