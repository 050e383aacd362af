/**
 * The stack's queues in the emulator, with the attributes and redrive policies of its template: the
 * refresh queue (the planner fills it, and the dev CLI's `work` and `sweep` and the sandbox stand in
 * for the event source mapping that drains it), its dead-letter queue, and the dead-letter queue of
 * the bus's rules and the functions' async invocations.
 */
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { EmulatorClientConfig } from './resources';
import { ensureQueue } from './resources-events';
import type { Note } from './resources-table';
import type { QueueOutput, QueueSpec } from './template-spec';

/** A local queue's URL and ARN. */
export interface LocalQueue {
  readonly queueUrl: string;
  readonly queueArn: string;
}

/**
 * Finds or creates every queue of `specs` under its local name, dead-letter queues first. The
 * attributes are set on every run, as PutRule overwrites a rule, so a second run also repairs a queue
 * whose redrive policy was changed by hand.
 */
export async function ensureStackQueues(
  config: EmulatorClientConfig,
  specs: Readonly<Record<QueueOutput, QueueSpec>>,
  names: Readonly<Record<QueueOutput, string>>,
  note: Note,
): Promise<Record<QueueOutput, LocalQueue>> {
  const sqs = new SQSClient(config);
  try {
    const made: Partial<Record<QueueOutput, LocalQueue>> = {};
    const entries = Object.entries(specs) as [QueueOutput, QueueSpec][];
    // A queue's dead-letter queue must exist before its redrive policy can name it.
    entries.sort(([, a], [, b]) => Number(a.redrive !== undefined) - Number(b.redrive !== undefined));
    for (const [output, spec] of entries) {
      const deadLetters = spec.redrive === undefined ? undefined : made[spec.redrive.deadLetterQueue];
      const attributes = {
        ...spec.attributes,
        ...(spec.redrive === undefined || deadLetters === undefined
          ? {}
          : {
              RedrivePolicy: JSON.stringify({
                deadLetterTargetArn: deadLetters.queueArn,
                maxReceiveCount: spec.redrive.maxReceiveCount,
              }),
            }),
      };
      const queue = await ensureQueue(sqs, names[output], note, attributes);
      if (Object.keys(attributes).length > 0) {
        await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue.queueUrl, Attributes: attributes }));
      }
      made[output] = queue;
    }
    return made as Record<QueueOutput, LocalQueue>;
  } finally {
    sqs.destroy();
  }
}
