/**
 * `npm run local -- drain`: the local stand-in for the stack's bus → on-demand function target.
 * The local bus rule feeds consumers' "Zoho Token Rejected" events into an SQS queue; draining hands
 * each queued event to the on-demand handler once, as EventBridge would invoke the function, and
 * deletes it.
 */
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { AwsTarget } from '../../cli/aws-target';
import { LOCAL_DEFAULTS } from '../../functions/aws/names';
import { ConfigurationError } from '../../functions/core/errors';
import type { OnDemandResult } from '../../functions/on-demand-refresh/token-rejected-handler';

/** What happened to the drained events. */
export interface DrainCounts {
  /** Events handed to the handler. */
  readonly delivered: number;
  /** A new token was written (refreshed or adopted). */
  readonly refreshed: number;
  /** Nothing to do: already refreshed, lease held, connection not active… */
  readonly skipped: number;
  /** Refused as malformed or naming an unknown connection. */
  readonly rejected: number;
  /** The refresh failed, or the handler threw (in AWS: Lambda retries, then the dead-letter queue). */
  readonly failed: number;
}

export interface DrainOptions {
  readonly target: Pick<AwsTarget, 'local'>;
  readonly clients: { readonly sqs: SQSClient };
  /** The on-demand handler (`createTokenRejectedHandler(deps)`). */
  readonly handler: (event: unknown) => Promise<OnDemandResult>;
  /** @default the URL of the queue named LOCAL_DEFAULTS.rejectedQueueName */
  readonly queueUrl?: string;
  /** Stop after this many events, so a producer that never stops cannot keep a drain running. @default 1000 */
  readonly maxMessages?: number;
  /** Called with each handler error (the message is deleted and counted as failed). */
  readonly onError?: (error: unknown) => void;
}

const BATCH = 10;

/**
 * Receives until the queue is empty (or `maxMessages`), delivering each batch's events at once —
 * EventBridge does not serialise them either, which is what the lease deduplicates.
 */
export async function drainRejectedEvents(options: DrainOptions): Promise<DrainCounts> {
  if (!options.target.local) {
    throw new ConfigurationError(
      'draining works against an emulator only (--aws-endpoint); in AWS the bus delivers events to the on-demand function itself',
    );
  }
  const { sqs } = options.clients;
  const queueUrl = options.queueUrl ?? (await rejectedQueueUrl(sqs));
  const max = options.maxMessages ?? 1000;
  const counts = { delivered: 0, refreshed: 0, skipped: 0, rejected: 0, failed: 0 };

  while (counts.delivered < max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(BATCH, max - counts.delivered),
        WaitTimeSeconds: 0,
        // Long enough for a batch of refreshes with Zoho timeouts; deleted well before.
        VisibilityTimeout: 120,
      }),
    );
    if (Messages.length === 0) break;
    counts.delivered += Messages.length;
    const outcomes = await Promise.all(Messages.map((message) => deliver(options, message)));
    for (const outcome of outcomes) counts[outcome]++;
    // Deleted whatever happened: each event is delivered once, never in a loop.
    await Promise.all(
      Messages.map((message) =>
        sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle })),
      ),
    );
  }
  return counts;
}

async function deliver(
  options: DrainOptions,
  message: Message,
): Promise<'refreshed' | 'skipped' | 'rejected' | 'failed'> {
  try {
    const result = await options.handler(parseBody(message.Body));
    switch (result.outcome) {
      case 'refreshed':
      case 'adopted':
        return 'refreshed';
      case 'skipped':
        return 'skipped';
      case 'rejected':
        return 'rejected';
      default:
        return 'failed';
    }
  } catch (error) {
    options.onError?.(error);
    return 'failed';
  }
}

/** The SQS body of an EventBridge target is the event's JSON; anything else goes as is (and is refused). */
function parseBody(body: string | undefined): unknown {
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

async function rejectedQueueUrl(sqs: SQSClient): Promise<string> {
  const name = LOCAL_DEFAULTS.rejectedQueueName;
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (QueueUrl !== undefined) return QueueUrl;
  } catch (error) {
    if (!(error instanceof QueueDoesNotExist)) throw error;
  }
  throw new ConfigurationError(`the emulator has no queue '${name}'; run 'npm run local -- init' first`);
}
