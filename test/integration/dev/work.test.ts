/**
 * deliverQueuedOrders: the local event source mapping. Batches, partial batch failures, a handler
 * that throws or answers nonsense, redelivery after the visibility timeout and the dead-letter queue,
 * on moto's SQS, with a handler that only records what it got.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type DeliverOptions,
  deliverQueuedOrders,
  MalformedBatchResponseError,
  type QueueRef,
} from '../../../dev/emulator/work';
import { useEmulator } from '../../support/emulator';

const { region, clientConfig } = useEmulator();
const sqs = new SQSClient(clientConfig);
let queue: QueueRef;
let deadLetters: QueueRef;
let serial = 0;

async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<QueueRef> {
  const { QueueUrl: url = '' } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return { url, arn: Attributes?.QueueArn ?? '' };
}

async function send(target: QueueRef, bodies: readonly string[]) {
  for (let start = 0; start < bodies.length; start += 10) {
    const output = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: target.url,
        Entries: bodies
          .slice(start, start + 10)
          .map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
    expect(output.Failed ?? []).toEqual([]);
  }
}

async function depth(target: QueueRef) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: target.url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

/** A worker that records every event and reports the bodies starting with `fail` as failed. */
function recordingWorker() {
  const events: SQSEvent[] = [];
  const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    events.push(event);
    return {
      batchItemFailures: event.Records.filter((record) => record.body.startsWith('fail')).map((record) => ({
        itemIdentifier: record.messageId,
      })),
    };
  };
  return { events, handler, bodies: () => events.flatMap((event) => event.Records.map((r) => r.body)) };
}

const deliver = (handler: DeliverOptions['handler'], more: Partial<DeliverOptions> = {}) =>
  deliverQueuedOrders({ sqs, queue, region, handler, concurrency: 1, ...more });

beforeEach(async () => {
  serial += 1;
  deadLetters = await createQueue(`work-dlq-${serial}`);
  queue = await createQueue(`work-${serial}`, {
    VisibilityTimeout: '1',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetters.arn, maxReceiveCount: 2 }),
  });
});

describe('deliverQueuedOrders', () => {
  it('hands the queue to the handler in batches of 10, as Lambda records, and deletes each message once done', async () => {
    // Prepare
    const bodies = Array.from({ length: 25 }, (_, i) => `order-${i}`);
    await send(queue, bodies);
    const worker = recordingWorker();

    // Act
    const counts = await deliver(worker.handler);

    // Assess
    expect(counts).toEqual({ invocations: 3, delivered: 25, succeeded: 25, failed: 0 });
    expect(worker.events.map((event) => event.Records.length)).toEqual([10, 10, 5]);
    expect([...worker.bodies()].sort()).toEqual([...bodies].sort());
    expect(worker.events[0]?.Records[0]).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: region,
      attributes: { ApproximateReceiveCount: '1' },
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
    });
    expect(await depth(queue)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('leaves the failed messages for redelivery after the visibility timeout, then the dead-letter queue', async () => {
    // Prepare
    await send(queue, ['ok-1', 'fail-1', 'ok-2', 'fail-2']);
    const worker = recordingWorker();

    // Act
    const first = await deliver(worker.handler);
    const hidden = await depth(queue);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await deliver(worker.handler);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const third = await deliver(worker.handler);

    // Assess: delivered twice (maxReceiveCount 2), then moved to the dead-letter queue by SQS
    expect(first).toEqual({ invocations: 1, delivered: 4, succeeded: 2, failed: 2 });
    expect(hidden).toEqual({ visible: 0, inFlight: 2 });
    expect(second).toEqual({ invocations: 1, delivered: 2, succeeded: 0, failed: 2 });
    expect(
      worker.events[1]?.Records.map((r) => [r.body, r.attributes.ApproximateReceiveCount]).sort(),
    ).toEqual([
      ['fail-1', '2'],
      ['fail-2', '2'],
    ]);
    expect(third).toEqual({ invocations: 0, delivered: 0, succeeded: 0, failed: 0 });
    expect(await depth(queue)).toEqual({ visible: 0, inFlight: 0 });
    expect((await depth(deadLetters)).visible).toBe(2);
  });

  it('fails the whole batch when the handler throws, and says why', async () => {
    // Prepare
    await send(queue, ['a', 'b', 'c']);
    const errors: unknown[] = [];

    // Act
    const counts = await deliver(
      async () => {
        throw new Error('AWS is down');
      },
      { onError: (error) => errors.push(error) },
    );

    // Assess
    expect(counts).toEqual({ invocations: 1, delivered: 3, succeeded: 0, failed: 3 });
    expect(errors).toEqual([new Error('AWS is down')]);
    expect(await depth(queue)).toEqual({ visible: 0, inFlight: 3 });
  });

  it('fails the whole batch when an identifier names no message of it, as Lambda does', async () => {
    // Prepare
    await send(queue, ['a', 'b']);
    const errors: unknown[] = [];

    // Act
    const counts = await deliver(async () => ({ batchItemFailures: [{ itemIdentifier: 'not-a-message' }] }), {
      onError: (error) => errors.push(error),
    });

    // Assess
    expect(counts).toMatchObject({ delivered: 2, succeeded: 0, failed: 2 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(MalformedBatchResponseError);
  });

  it('takes no answer as a batch without failures', async () => {
    // Prepare
    await send(queue, ['a', 'b']);

    // Act
    const counts = await deliver(async () => undefined);

    // Assess
    expect(counts).toEqual({ invocations: 1, delivered: 2, succeeded: 2, failed: 0 });
    expect(await depth(queue)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('runs invocations in parallel, each message delivered once, and stops at maxMessages', async () => {
    // Prepare
    const bodies = Array.from({ length: 60 }, (_, i) => `order-${i}`);
    await send(queue, bodies);
    const worker = recordingWorker();
    const capped = recordingWorker();

    // Act
    const some = await deliver(capped.handler, { concurrency: 4, maxMessages: 15, batchSize: 5 });
    const rest = await deliver(worker.handler, { concurrency: 4, batchSize: 5 });

    // Assess
    expect(some).toMatchObject({ delivered: 15, succeeded: 15 });
    expect(rest).toMatchObject({ delivered: 45, succeeded: 45 });
    expect([...capped.bodies(), ...worker.bodies()].sort()).toEqual([...bodies].sort());
    expect(worker.events.every((event) => event.Records.length <= 5)).toBe(true);
  });
});
