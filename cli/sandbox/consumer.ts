/**
 * The demo consumer: what a Lambda that calls Zoho Books does, through the consumer library
 * (`createZohoClient`), once per connection every few seconds. Its 401s travel the same path as in
 * AWS: the library publishes "Zoho Token Rejected" on the bus, the bus rule queues it, the sandbox
 * drains the queue into the on-demand handler, and the library retries with the newer token.
 */

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
  let rejectedThisCall = false;
  const observedFetch: FetchFunction = async (input, init) => {
    const response = await fetch(input, init);
    if (response.status === 401) {
      rejectedThisCall = true;
      log.record({ kind: 'consumer-401', connectionId, version: tracked.lastVersion() });
    }
    return response;
  };
  const client = createZohoClient({
    connectionId,
    eventBusName: aws.resources.eventBusName,
    tokenReader: tracked.reader,
    eventBridgeClient: aws.clients.eventBridge,
    fetch: observedFetch,
    waitForRefresh: { timeoutMs: options.waitForRefreshMs, initialDelayMs: 200, maxDelayMs: 1_000 },
  });

  return {
    async call() {
      rejectedThisCall = false;
      try {
        const response = await client.fetch(BOOKS_PATH);
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
        if (error instanceof SandboxStoppedError) return;
        // The library's messages never carry a token; they name the connection and the version.
        const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        log.record({ kind: 'consumer-error', connectionId, error: text });
      }
    },
  };
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
