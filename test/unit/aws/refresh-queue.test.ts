import 'aws-sdk-client-mock-vitest/extend';
import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MalformedRefreshOrderError } from '../../../functions/aws/errors';
import { decodeRefreshOrder, encodeRefreshOrder } from '../../../functions/aws/refresh-order-codec';
import { delaySeconds, SqsRefreshQueue } from '../../../functions/aws/refresh-queue';
import { OrdersNotQueuedError } from '../../../functions/core/errors';
import type { RefreshOrder } from '../../../functions/core/ports';
import { connection, NOW, rejection, thrown } from './fixtures';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/zoho-token-refresher-refresh';

const order = (connectionId: string, dueAt: number): RefreshOrder => ({
  connectionId,
  dueAt,
  snapshot: connection({ connectionId, refreshDueAt: dueAt }),
});

describe('SqsRefreshQueue', () => {
  const sqs = mockClient(SQSClient);
  const queue = new SqsRefreshQueue({
    client: new SQSClient({ region: 'us-east-1' }),
    queueUrl: QUEUE_URL,
    clock: { now: () => NOW },
  });

  beforeEach(() => {
    sqs.reset();
  });

  it('sends batches of ten, each message held back until its order is due', async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const orders = Array.from({ length: 25 }, (_, i) => order(`c-${i}`, NOW + i * 2_500));

    // Act
    await queue.enqueue(orders);

    // Assess
    expect(sqs).toReceiveCommandTimes(SendMessageBatchCommand, 3);
    const sent = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    expect(sent.map((input) => input.Entries?.length)).toEqual([10, 10, 5]);
    expect(sent[0]?.QueueUrl).toBe(QUEUE_URL);
    expect(sent[0]?.Entries?.[0]).toEqual({
      Id: '0',
      MessageBody: encodeRefreshOrder(orders[0] as RefreshOrder),
      DelaySeconds: 0,
    });
    // 2.5 s rounds up to 3: a message never arrives before its order is due.
    expect(sent[0]?.Entries?.[1]?.DelaySeconds).toBe(3);
    expect(sent[2]?.Entries?.[4]?.DelaySeconds).toBe(60);
  });

  it('sends the entries SQS refused once more, and counts what it refused again', async () => {
    // Prepare: entry 1 of the batch is refused twice, entry 2 once
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [],
        Failed: [
          { Id: '1', Code: 'InternalError', SenderFault: false },
          { Id: '2', Code: 'InternalError', SenderFault: false },
        ],
      })
      .resolvesOnce({ Successful: [], Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    const orders = [order('a', NOW), order('b', NOW), order('c', NOW)];

    // Act
    const error = await rejection(queue.enqueue(orders));

    // Assess
    expect(error).toBeInstanceOf(OrdersNotQueuedError);
    expect((error as OrdersNotQueuedError).count).toBe(1);
    const retry = sqs.commandCalls(SendMessageBatchCommand)[1]?.args[0].input as SendMessageBatchCommandInput;
    expect(retry.Entries?.map((entry) => JSON.parse(entry.MessageBody ?? '{}').connectionId)).toEqual([
      'b',
      'c',
    ]);
  });

  it('counts a batch whose call fails twice, and keeps the cause', async () => {
    // Prepare
    const outage = Object.assign(new Error('queue unreachable'), { name: 'TimeoutError' });
    sqs.on(SendMessageBatchCommand).rejects(outage);

    // Act
    const error = (await rejection(
      queue.enqueue([order('a', NOW), order('b', NOW)]),
    )) as OrdersNotQueuedError;

    // Assess
    expect(error.count).toBe(2);
    expect(error.cause).toBe(outage);
    expect(sqs).toReceiveCommandTimes(SendMessageBatchCommand, 2);
  });

  it('caps a delay at SQS’s 15 minutes and never goes below zero', () => {
    expect(delaySeconds(NOW + 3_600_000, NOW)).toBe(900);
    expect(delaySeconds(NOW - 60_000, NOW)).toBe(0);
    expect(delaySeconds(NOW + 1, NOW)).toBe(1);
  });
});

describe('refresh order messages', () => {
  it('round-trips an order with its snapshot, and one without', () => {
    // Prepare
    const full = order('acme', NOW);
    const bare = { connectionId: 'acme', dueAt: NOW };

    // Act + Assess
    expect(decodeRefreshOrder(encodeRefreshOrder(full))).toEqual(full);
    expect(decodeRefreshOrder(encodeRefreshOrder(bare))).toEqual(bare);
  });

  it.each([
    ['not json', 'the body is not JSON'],
    ['[1]', 'the body is not a JSON object'],
    ['{"connectionId":"../x","dueAt":1}', 'connection id must be 1-64 characters'],
    ['{"connectionId":"acme"}', 'dueAt is not a number'],
    [
      JSON.stringify({ ...order('acme', NOW), snapshot: { ...connection(), connectionId: 'other' } }),
      'of another connection',
    ],
    [
      JSON.stringify({
        ...order('acme', NOW),
        snapshot: { ...connection({ connectionId: 'acme' }), leaseSeq: '3' },
      }),
      'snapshot.leaseSeq',
    ],
    [
      JSON.stringify({
        ...order('acme', NOW),
        snapshot: { ...connection({ connectionId: 'acme' }), status: 'gone' },
      }),
      'snapshot.status',
    ],
  ])('refuses %s', (body, message) => {
    // Act
    const error = thrown(() => decodeRefreshOrder(body));

    // Assess
    expect(error).toBeInstanceOf(MalformedRefreshOrderError);
    expect(error.message).toContain(message);
  });
});
