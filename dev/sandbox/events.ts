/**
 * What happened in the sandbox, as data: the view prints it, `runSandbox` returns it, the tests
 * assert on it. Nothing here ever holds a token: versions, outcomes and error codes only.
 */
import type { RefreshOutcome, RefreshTrigger } from '../../functions/core/ports';

export type SandboxEvent =
  | {
      readonly kind: 'refresh';
      readonly connectionId: string;
      readonly trigger: RefreshTrigger;
      readonly outcome: RefreshOutcome;
      readonly version: number;
      readonly zohoCalls: number;
      readonly errorCode?: string;
    }
  /** The consumer's Books call was answered; `afterRejection` when it first met a 401 on this call. */
  | {
      readonly kind: 'consumer-ok';
      readonly connectionId: string;
      readonly version: number;
      readonly afterRejection: boolean;
    }
  /**
   * Books answered 401, and whether the consumer library published "Zoho Token Rejected" for it
   * (seen on the EventBridge client the sandbox gives it). When it did not, `notReported` says why.
   */
  | {
      readonly kind: 'consumer-401';
      readonly connectionId: string;
      readonly version: number;
      readonly reported: boolean;
      readonly notReported?: string;
    }
  /** The library found the stored token expired before sending it, and published it as rejected. */
  | { readonly kind: 'consumer-expired'; readonly connectionId: string; readonly version: number }
  | { readonly kind: 'consumer-error'; readonly connectionId: string; readonly error: string }
  /** A queued "Zoho Token Rejected" event handed to the on-demand handler, and what it answered. */
  | {
      readonly kind: 'rejected-delivered';
      readonly connectionId: string;
      readonly version: number;
      readonly result: string;
    }
  /** The simulated Zoho invalidated a connection's access tokens early (the demo's 401 maker). */
  | { readonly kind: 'zoho-expired'; readonly connectionId: string }
  | { readonly kind: 'info'; readonly text: string }
  | { readonly kind: 'warning'; readonly text: string };

export type TimedEvent = SandboxEvent & { readonly at: number };

/** The sandbox's event log; listeners see every event as it is recorded. */
export class EventLog {
  readonly events: TimedEvent[] = [];
  readonly #listeners = new Set<(event: TimedEvent) => void>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  record(event: SandboxEvent): void {
    const timed = { ...event, at: this.#now() } as TimedEvent;
    this.events.push(timed);
    for (const listener of this.#listeners) listener(timed);
  }

  onRecord(listener: (event: TimedEvent) => void): void {
    this.#listeners.add(listener);
  }
}

/** One human line per event, e.g. `demo-us  refreshed v3 (scheduled, 1 Zoho call)`. */
export function describeEvent(event: SandboxEvent): string {
  switch (event.kind) {
    case 'refresh': {
      const calls = `${event.zohoCalls} Zoho call${event.zohoCalls === 1 ? '' : 's'}`;
      const what =
        event.outcome === 'refreshed' || event.outcome === 'adopted'
          ? `${event.outcome} v${event.version}`
          : `refresh failed: ${event.errorCode ?? event.outcome}, still v${event.version}`;
      return `${event.connectionId}  ${what} (${event.trigger.replace('_', '-')}, ${calls})`;
    }
    case 'consumer-ok':
      return `${event.connectionId}  consumer: Books answered 200 with v${event.version}${event.afterRejection ? ' after the refresh' : ''}`;
    case 'consumer-401':
      return `${event.connectionId}  consumer: Books answered 401 to v${event.version}; ${
        event.reported
          ? 'reported "Zoho Token Rejected"'
          : `not reported (${event.notReported ?? 'no event'})`
      }`;
    case 'consumer-expired':
      return `${event.connectionId}  consumer: the stored v${event.version} had expired; reported "Zoho Token Rejected" without sending it`;
    case 'consumer-error':
      return `${event.connectionId}  consumer: ${event.error}`;
    case 'rejected-delivered':
      return `${event.connectionId}  on-demand handler got the 401 of v${event.version}: ${event.result}`;
    case 'zoho-expired':
      return `${event.connectionId}  simulated Zoho expired its access tokens early`;
    case 'info':
      return event.text;
    case 'warning':
      return `warning: ${event.text}`;
  }
}
