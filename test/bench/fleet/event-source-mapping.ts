/**
 * Lambda's SQS event source mapping, simulated: pollers receive up to `batchSize` visible messages
 * whenever an invocation slot is free (at most `maximumConcurrency`), invoke the function, and
 * delete what it did not report as failed (ReportBatchItemFailures). A failed, timed-out or crashed
 * invocation deletes nothing: its messages come back after the visibility timeout.
 */
import type { SimEnvironment } from './sim-environment';
import type { Container, Invocation, InvocationOutcome, SimLambdaFunction } from './sim-lambda';
import type { SimMessage, SimQueue } from './sim-queue';

export interface MappingModel {
  readonly batchSize: number;
  readonly maximumConcurrency: number;
  /** A poller's ReceiveMessage round trip before the invocation starts. */
  readonly receiveLatencyMs: number;
  /** Idle pollers' long polls (20 s each) bill requests even when the queue is empty. */
  readonly idlePollers: number;
}

/** The worker's answer: the indexes (in the batch) of the messages that failed. */
export type BatchHandler<T> = (
  invocation: Invocation,
  container: Container,
  messages: ReadonlyArray<SimMessage<T>>,
) => Promise<ReadonlySet<number>>;

export class SimEventSourceMapping<T> {
  /** ReceiveMessage and DeleteMessageBatch requests of the mapping (billed to the account). */
  receiveRequests = 0;
  deleteRequests = 0;
  batches = 0;
  messagesDelivered = 0;
  itemFailures = 0;
  #slots = 0;

  constructor(
    private readonly env: SimEnvironment,
    private readonly queue: SimQueue<T>,
    private readonly fn: SimLambdaFunction,
    private readonly model: MappingModel,
    private readonly handler: BatchHandler<T>,
  ) {
    queue.onVisible = () => this.#pump();
  }

  #pump(): void {
    while (this.#slots < this.model.maximumConcurrency && this.queue.visibleCount > 0) {
      const batch = this.queue.receive(this.model.batchSize);
      if (batch.length === 0) return;
      this.#slots++;
      this.receiveRequests++;
      this.batches++;
      this.messagesDelivered += batch.length;
      this.env.time.after(this.model.receiveLatencyMs, () => this.#invoke(batch));
    }
  }

  #invoke(batch: Array<SimMessage<T>>): void {
    this.fn.invoke(
      (invocation, container) => this.handler(invocation, container, batch),
      (outcome) => this.#ended(batch, outcome),
    );
  }

  #ended(batch: Array<SimMessage<T>>, outcome: InvocationOutcome<ReadonlySet<number>>): void {
    if (outcome.kind === 'ok') {
      const failed = outcome.value;
      this.itemFailures += failed.size;
      const done = batch.filter((_, index) => !failed.has(index));
      if (done.length > 0) {
        this.deleteRequests++;
        for (const message of done) this.queue.delete(message);
      }
    }
    this.#slots--;
    this.#pump();
  }
}
