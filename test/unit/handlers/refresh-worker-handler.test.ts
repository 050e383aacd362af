import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { encodeRefreshOrder } from '../../../functions/aws/refresh-order-codec';
import { ReauthorizationRequiredError } from '../../../functions/core/errors';
import type { RefreshOrder } from '../../../functions/core/ports';
import { createRefreshWorkerHandler } from '../../../functions/refresh-worker/refresh-worker-handler';
import { addConnection, createFakeWorld, RecordingQueue } from '../../support/fakes';

const record = (messageId: string, body: string): SQSRecord =>
  ({ messageId, body, receiptHandle: `r-${messageId}`, attributes: {}, messageAttributes: {} }) as SQSRecord;
const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

async function world() {
  const w = createFakeWorld();
  const handler = createRefreshWorkerHandler({ ...w, queue: new RecordingQueue() }, { concurrency: 10 });
  const order = async (connectionId: string): Promise<RefreshOrder> => {
    const snapshot = await addConnection(w, { connectionId, refreshDueAt: w.clock.now() });
    return { connectionId, dueAt: snapshot.refreshDueAt, snapshot };
  };
  return { w, handler, order };
}

describe('refresh worker handler', () => {
  it('answers a batch whose refreshes all finished with no failures, classified failures included', async () => {
    // Prepare: one refresh token Zoho rejects for good
    const { w, handler, order } = await world();
    w.zoho.script.push(new ReauthorizationRequiredError('invalid_code'));
    const revokedAtZoho = await order('revoked-at-zoho');
    const fine = await order('fine');

    // Act
    const response = await handler(
      event(record('m1', encodeRefreshOrder(revokedAtZoho)), record('m2', encodeRefreshOrder(fine))),
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(w.store.items.get('revoked-at-zoho')?.status).toBe('reauthorization_required');
    expect(w.store.items.get('fine')?.version).toBe(1);
  });

  it('reports the order that threw and a message that is no order, and nothing else', async () => {
    // Prepare
    const { w, handler, order } = await world();
    const poison = await order('poison');
    const fine = await order('fine');
    const acquire = w.store.acquireLease.bind(w.store);
    w.store.acquireLease = async (seen, lease, now, marks) => {
      if (seen.connectionId === 'poison') throw new Error('item unreadable');
      return acquire(seen, lease, now, marks);
    };

    // Act
    const response = await handler(
      event(
        record('m-poison', encodeRefreshOrder(poison)),
        record('m-junk', '{"connectionId":"x"}'),
        record('m-fine', encodeRefreshOrder(fine)),
      ),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'm-junk' },
      { itemIdentifier: 'm-poison' },
    ]);
    expect(w.store.items.get('fine')?.version).toBe(1);
    expect(w.metrics.sum('InvalidEvent', 'malformed_refresh_order')).toBe(1);
    expect(w.log.lines).toContainEqual({
      level: 'error',
      message: 'Refused a refresh-queue message',
      attributes: { messageId: 'm-junk', reason: 'Not a refresh order: dueAt is not a number' },
    });
  });
});
