/**
 * The refresh queue of `local init`: the queue the planner fills and the workers drain (here
 * `npm run local -- work`, `sweep` and the sandbox stand in for the event source mapping), and its
 * dead-letter queue, with the redrive policy, visibility timeout and retention of the stack's queues
 * at its default settings (infra/refresh-queue-spec.ts, which the stack is built from).
 */

/** The refresh queue's attributes as the stack sets them at its default settings. */
export const LOCAL_REFRESH_QUEUE = {
  visibilityTimeoutSeconds: refreshQueueVisibilityTimeoutSeconds(CONFIG_DEFAULTS),
  maxReceiveCount: REFRESH_MAX_RECEIVES,
  retentionSeconds: REFRESH_QUEUE_RETENTION_SECONDS,
  deadLetterRetentionSeconds: REFRESH_DEAD_LETTER_RETENTION_SECONDS,
} as const;

import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CONFIG_DEFAULTS } from '../../functions/aws/config';
import {
  REFRESH_DEAD_LETTER_RETENTION_SECONDS,
  REFRESH_MAX_RECEIVES,
  REFRESH_QUEUE_RETENTION_SECONDS,
  refreshQueueVisibilityTimeoutSeconds,
} from '../../infra/refresh-queue-spec';
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
    const deadLetters = await ensureQueue(sqs, names.deadLetterQueueName, note, {
      MessageRetentionPeriod: String(LOCAL_REFRESH_QUEUE.deadLetterRetentionSeconds),
    });
    const attributes = {
      VisibilityTimeout: String(LOCAL_REFRESH_QUEUE.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(LOCAL_REFRESH_QUEUE.retentionSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: deadLetters.queueArn,
        maxReceiveCount: LOCAL_REFRESH_QUEUE.maxReceiveCount,
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
