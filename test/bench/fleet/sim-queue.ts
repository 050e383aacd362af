/**
 * The refresh queue (SQS standard), simulated: DelaySeconds, the visibility timeout (a message
 * received and not deleted in time is delivered again), at-least-once delivery (a share of receives
 * delivers a second copy), the redrive to the dead-letter queue after `maxReceiveCount` receives, and
 * the age of the oldest waiting message.
 */
import type { EpochMillis } from '../../../functions/core/connection';
import { FifoTimers } from './fifo-timers';
import type { SimEnvironment } from './sim-environment';

export interface QueueModel {
  /** The queue's visibility timeout. */
  readonly visibilityTimeoutMs: number;
  /** Receives after which a message moves to the dead-letter queue (the redrive policy). */
  readonly maxReceiveCount: number;
  /** Share of receives that also deliver a duplicate copy, within `duplicateDelayMaxMs`. */
  readonly duplicateRate: number;
  readonly duplicateDelayMaxMs: number;
}

/** One message (or one duplicate copy of it) and where it is. */
export class SimMessage<T> {
  state: 'delayed' | 'visible' | 'in_flight' | 'deleted' | 'dead_letter' = 'delayed';
  receiveCount = 0;
  /** Bumped by every receive: a visibility timeout only returns the receive it belongs to. */
  receipt = 0;
  visibleAt: EpochMillis;

  constructor(
    readonly body: T,
    readonly sentAt: EpochMillis,
    visibleAt: EpochMillis,
    readonly duplicate: boolean,
  ) {
    this.visibleAt = visibleAt;
  }
}

/** One receive of a message: its visibility timeout returns it only if nothing received it since. */
interface Receipt<T> {
  readonly message: SimMessage<T>;
  readonly receipt: number;
}

export class SimQueue<T> {
  /** Called when a message becomes visible (the event source mapping polls). */
  onVisible: () => void = () => {};
  readonly #visible: Array<SimMessage<T> | undefined> = [];
  #head = 0;
  sent = 0;
  received = 0;
  deleted = 0;
  duplicatesDelivered = 0;
  /** Receives of a message whose visibility timeout ran out (a receive that was not deleted). */
  redeliveries = 0;
  deadLetters = 0;
  /** Messages sent and not yet deleted or dead-lettered. */
  inQueue = 0;
  /** Visibility timeouts of the receives (one timeout for all: they come due in order). */
  readonly #visibility: FifoTimers<Receipt<T>>;

  constructor(
    private readonly env: SimEnvironment,
    private readonly model: QueueModel,
  ) {
    this.#visibility = new FifoTimers(
      env.time,
      ({ message }) => {
        message.visibleAt = this.env.time.now();
        this.#makeVisible(message);
      },
      ({ message, receipt }) => message.state !== 'in_flight' || message.receipt !== receipt,
    );
  }

  /** A message sent now, visible after `delaySeconds`. */
  send(body: T, delaySeconds: number): void {
    const now = this.env.time.now();
    this.sent++;
    this.inQueue++;
    this.#schedule(new SimMessage(body, now, now + delaySeconds * 1000, false));
  }

  get visibleCount(): number {
    return this.#visible.length - this.#head;
  }

  /**
   * Receives up to `max` visible messages (oldest visible first, as SQS roughly does). A message past
   * its receive count goes to the dead-letter queue instead; some receives also deliver a copy.
   */
  receive(max: number): Array<SimMessage<T>> {
    const batch: Array<SimMessage<T>> = [];
    const now = this.env.time.now();
    while (batch.length < max && this.#head < this.#visible.length) {
      const message = this.#visible[this.#head];
      this.#visible[this.#head++] = undefined;
      if (message === undefined || message.state !== 'visible') continue;
      message.receiveCount++;
      if (message.receiveCount > this.model.maxReceiveCount) {
        message.state = 'dead_letter';
        this.deadLetters++;
        this.inQueue--;
        continue;
      }
      if (message.receiveCount > 1) this.redeliveries++;
      message.state = 'in_flight';
      const receipt = ++message.receipt;
      this.received++;
      this.#visibility.set(now + this.model.visibilityTimeoutMs, { message, receipt });
      if (!message.duplicate && this.env.random.chance(this.model.duplicateRate)) {
        this.inQueue++;
        const copyAt = now + this.env.random.uniform(0, this.model.duplicateDelayMaxMs);
        this.#schedule(new SimMessage(message.body, message.sentAt, copyAt, true));
      }
      if (message.duplicate) this.duplicatesDelivered++;
      batch.push(message);
    }
    if (this.#head > 4096 && this.#head * 2 > this.#visible.length) {
      this.#visible.splice(0, this.#head);
      this.#head = 0;
    }
    return batch;
  }

  /** DeleteMessage(Batch) of a received message; a stale receipt (received again since) still deletes, as SQS may. */
  delete(message: SimMessage<T>): void {
    if (message.state === 'deleted' || message.state === 'dead_letter') return;
    message.state = 'deleted';
    this.deleted++;
    this.inQueue--;
  }

  /** How long the oldest visible message has waited to be received (0 when none waits). */
  oldestVisibleWaitMs(): number {
    for (let i = this.#head; i < this.#visible.length; i++) {
      const message = this.#visible[i];
      if (message?.state === 'visible') return this.env.time.now() - message.visibleAt;
    }
    return 0;
  }

  #schedule(message: SimMessage<T>): void {
    this.env.time.at(message.visibleAt, () => this.#makeVisible(message));
  }

  #makeVisible(message: SimMessage<T>): void {
    if (message.state !== 'delayed' && message.state !== 'in_flight') return;
    message.state = 'visible';
    this.#visible.push(message);
    this.onVisible();
  }
}
