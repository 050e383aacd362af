import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { MalformedRefreshOrderError } from '../aws/errors';
import { decodeRefreshOrder } from '../aws/refresh-order-codec';
import { type OrderDelivery, runRefreshOrders, type WorkerDependencies } from '../core/run-refresh-orders';

export interface RefreshWorkerHandlerOptions {
  /** Orders of one batch refreshed side by side (the write pacer still spaces their writes). */
  readonly concurrency: number;
}

/**
 * The worker use case as a Lambda function, before middleware: one SQS batch → its refresh orders →
 * a partial batch response. Only orders that threw, and messages that are not orders, are reported
 * as failures (SQS delivers them again and, after the queue's receive limit, dead-letters them);
 * refreshes that failed for a classified reason were recorded and rescheduled by the core and are
 * done, so one poison connection never holds back the others or its own batch.
 */
export function createRefreshWorkerHandler(deps: WorkerDependencies, options: RefreshWorkerHandlerOptions) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const deliveries: OrderDelivery[] = [];
    const refused: string[] = [];
    for (const record of event.Records) {
      try {
        deliveries.push({ deliveryId: record.messageId, order: decodeRefreshOrder(record.body) });
      } catch (error) {
        if (!(error instanceof MalformedRefreshOrderError)) throw error;
        deps.metrics.add('InvalidEvent', 1, 'Count', error.code);
        deps.log.error('Refused a refresh-queue message', {
          messageId: record.messageId,
          reason: error.message,
        });
        refused.push(record.messageId);
      }
    }
    const outcomes = await runRefreshOrders(deps, deliveries, options);
    const retried = outcomes
      .filter((outcome) => outcome.kind === 'retry')
      .map((outcome) => outcome.deliveryId);
    return { batchItemFailures: [...refused, ...retried].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
