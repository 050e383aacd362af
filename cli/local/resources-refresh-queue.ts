/**
 * The refresh queue of `local init`: the queue the planner fills and the workers drain (here
 * `zoho-tokens local work`, `sweep` and the sandbox stand in for the event source mapping), and its
 * dead-letter queue, with the redrive policy and visibility timeout of the stack's queue.
 */
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { REFRESH_QUEUE_SETTINGS } from './refresh-queue-settings';
import type { EmulatorClientConfig } from './resources';
import { ensureQueue } from './resources-events';
import type { Note } from './resources-table';

export interface RefreshQueues {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly deadLetterQueueUrl: string;
  readonly deadLetterQueueArn: string;
}

/**
 * Finds or creates both queues. The settings are set on every run, as PutRule overwrites a rule, so
 * a second run also repairs a queue whose redrive policy was changed by hand.
 */
export async function ensureRefreshQueues(
  config: EmulatorClientConfig,
  names: { readonly queueName: string; readonly deadLetterQueueName: string },
  note: Note,
): Promise<RefreshQueues> {
  const sqs = new SQSClient(config);
  try {
    const deadLetters = await ensureQueue(sqs, names.deadLetterQueueName, note);
    const attributes = {
      VisibilityTimeout: String(REFRESH_QUEUE_SETTINGS.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: deadLetters.queueArn,
        maxReceiveCount: REFRESH_QUEUE_SETTINGS.maxReceiveCount,
      }),
    };
    const queue = await ensureQueue(sqs, names.queueName, note, attributes);
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue.queueUrl, Attributes: attributes }));
    return {
      queueUrl: queue.queueUrl,
      queueArn: queue.queueArn,
      deadLetterQueueUrl: deadLetters.queueUrl,
      deadLetterQueueArn: deadLetters.queueArn,
    };
  } finally {
    sqs.destroy();
  }
}
