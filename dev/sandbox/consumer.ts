/**
 * The demo consumer: what a Lambda that calls Zoho Books does, through the consumer library
 * (`createZohoClient`), once per connection every few seconds. Its 401s travel the same path as in
 * AWS: the library publishes "Zoho Token Rejected" on the bus, the bus rule queues it, the sandbox
 * drains the queue into the on-demand handler, and the library retries with the newer token.
 * Whether the library did publish for a 401 is seen on the EventBridge client the sandbox hands it:
 * it does not when it is failing fast, when a newer token was already stored, or when the 401 is a
 * permission problem.
 */

import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import {
  TokenRefreshTimeoutError,
  TokenRejectionReportError,
  ZohoPermissionError,
} from '../../functions/consumer/errors';
import { createTokenReader, type TokenReader } from '../../functions/consumer/token-reader';
import { createZohoClient, type FetchFunction } from '../../functions/consumer/zoho-fetch';
import type { Clock } from '../../functions/core/ports';
import type { AwsSide } from './aws-side';
import type { EventLog } from './events';
import { SandboxStoppedError } from './runner';

export const BOOKS_PATH = '/books/v3/organizations';

export interface DemoConsumer {
  /** One Books call; records what happened, never throws. */
  call(): Promise<void>;
}

export function createDemoConsumer(options: {
  readonly connectionId: string;
  readonly aws: AwsSide;
  readonly log: EventLog;
  readonly clock: Clock;
  /** How long before expiry the library's token cache ends. @default the library's minute */
  readonly cacheSkewMs?: number;
  /** How long a consumer waits for the refresher after reporting a 401. */
  readonly waitForRefreshMs: number;
  /** @default globalThis.fetch */
  readonly fetch?: FetchFunction;
}): DemoConsumer {
  const { connectionId, aws, log } = options;
  const reader = createTokenReader({
    connectionId,
    secretPrefix: aws.resources.secretPrefix,
    client: aws.clients.secretsManager,
    clock: options.clock,
    ...(options.cacheSkewMs === undefined ? {} : { refreshSkewMs: options.cacheSkewMs }),
  });
  const tracked = trackVersions(reader);
  const send = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let rejectedThisCall = false;
  // The version of the last 401, until it is known whether the library published it.
  let pending401: number | undefined;
  const settle401 = (reported: boolean, notReported?: string) => {
    if (pending401 === undefined) return;
    const version = pending401;
    pending401 = undefined;
    log.record({
      kind: 'consumer-401',
      connectionId,
      version,
      reported,
      ...(reported || notReported === undefined ? {} : { notReported }),
    });
  };
  const onPublished = (version: number) => {
    if (pending401 === version) settle401(true);
    else log.record({ kind: 'consumer-expired', connectionId, version });
  };
  const observedFetch: FetchFunction = async (input, init) => {
    // A retry that follows a 401 without a publish: the library had a newer token already.
    settle401(false, 'a newer token was already stored; the library retried with it');
    const response = await send(input, init);
    if (response.status === 401) {
      rejectedThisCall = true;
      pending401 = tracked.lastVersion();
    }
    return response;
  };
  const client = createZohoClient({
    connectionId,
    eventBusName: aws.resources.eventBusName,
    tokenReader: tracked.reader,
    clock: options.clock,
    eventBridgeClient: observePublishes(aws.clients.eventBridge, onPublished),
    fetch: observedFetch,
    waitForRefresh: { timeoutMs: options.waitForRefreshMs, initialDelayMs: 200, maxDelayMs: 1_000 },
  });

  return {
    async call() {
      rejectedThisCall = false;
      try {
        const response = await client.fetch(BOOKS_PATH);
        // Not reached: a 401 is either retried (settled by the retry) or thrown.
        settle401(false, 'the call went on without reporting it');
        await response.arrayBuffer();
        if (response.ok) {
          log.record({
            kind: 'consumer-ok',
            connectionId,
            version: tracked.lastVersion(),
            afterRejection: rejectedThisCall,
          });
        } else {
          log.record({
            kind: 'consumer-error',
            connectionId,
            error: `Books answered HTTP ${response.status}`,
          });
        }
      } catch (error) {
        settle401(false, whyNotReported(error));
        if (error instanceof SandboxStoppedError) return;
        // The library's messages never carry a token; they name the connection and the version.
        const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        log.record({ kind: 'consumer-error', connectionId, error: text });
      }
    },
  };
}

/** Why the library did not publish the 401 of a call that failed with `error`. */
function whyNotReported(error: unknown): string {
  if (error instanceof TokenRefreshTimeoutError && error.failedFast) {
    const until =
      error.retryAt === undefined ? '' : ` until ${new Date(error.retryAt).toTimeString().slice(0, 8)}`;
    return `fail-fast${until}: the last wait for a token newer than v${error.version} timed out`;
  }
  if (error instanceof ZohoPermissionError) {
    return `v${error.version} already replaced a rejected token: a permission problem, which no refresh fixes`;
  }
  if (error instanceof TokenRejectionReportError) return 'publishing the event failed';
  if (error instanceof SandboxStoppedError) return 'the sandbox is stopping';
  return 'the call failed first';
}

type Sender = { send(command: unknown, ...rest: unknown[]): Promise<unknown> };

/**
 * The sandbox's EventBridge client, unchanged, except that every "Zoho Token Rejected" event it
 * publishes for the library (PutEvents, every entry accepted) is told to `onPublished`.
 */
function observePublishes(
  client: EventBridgeClient,
  onPublished: (version: number) => void,
): EventBridgeClient {
  const send = async (command: unknown, ...rest: unknown[]): Promise<unknown> => {
    const output = await (client as unknown as Sender).send(command, ...rest);
    if (
      command instanceof PutEventsCommand &&
      ((output as PutEventsCommandOutput).FailedEntryCount ?? 0) === 0
    ) {
      for (const entry of command.input.Entries ?? []) {
        const version = (JSON.parse(entry.Detail ?? '{}') as { version?: unknown }).version;
        if (typeof version === 'number') onPublished(version);
      }
    }
    return output;
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === 'send') return send;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The reader, remembering the version of the token it handed out last (the one the call uses). */
function trackVersions(reader: TokenReader): { reader: TokenReader; lastVersion: () => number } {
  let version = 0;
  const seen = <T extends { version: number }>(token: T): T => {
    version = token.version;
    return token;
  };
  return {
    lastVersion: () => version,
    reader: {
      getToken: () => reader.getToken().then(seen),
      waitForNewerThan: (after, wait) => reader.waitForNewerThan(after, wait).then(seen),
      invalidate: () => reader.invalidate(),
      peek: () => reader.peek(),
    },
  };
}
