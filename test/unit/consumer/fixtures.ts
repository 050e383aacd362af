/**
 * Shared fakes of the consumer tests: a secret store behind the Secrets Manager mock, a clock that
 * records its sleeps, a fetch that answers per token and records what it was sent, and the world of
 * the `zohoFetch` and middleware tests that wires them together.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach } from 'vitest';
import {
  createZohoClient,
  type FetchFunction,
  type ZohoClient,
  type ZohoClientOptions,
} from '../../../functions/consumer/zoho-fetch';
import type { Clock } from '../../../functions/core/ports';

export const CONNECTION_ID = 'acme-books';
export const SECRET_NAME = `zoho-token-refresher/${CONNECTION_ID}/access-token`;
export const BUS = 'zoho-token-refresher';
export const API_DOMAIN = 'https://www.zohoapis.eu';
export const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
export const HOUR = 3_600_000;

/** The contract's secret value; tokens carry the `test-at-` marker so the log scan can find leaks. */
export function secretString(version: number, expiresAt: number, connectionId = CONNECTION_ID): string {
  return JSON.stringify({
    access_token: `1000.test-at-v${version}`,
    api_domain: API_DOMAIN,
    token_type: 'Bearer',
    expires_at: new Date(expiresAt).toISOString(),
    version,
    connection_id: connectionId,
  });
}

export const authorizationOf = (version: number) => `Zoho-oauthtoken 1000.test-at-v${version}`;

export class RecordingClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(public current = T0) {}
  now = () => this.current;
  sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.current += ms;
    // Yield a macrotask, as a real timer would, so concurrent callers interleave.
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
}

export interface SentRequest {
  readonly url: string;
  readonly method: string;
  readonly authorization: string | null;
  readonly body: unknown;
}

/** A fake `fetch`: `answer` picks the response from the request; every request is recorded. */
export function recordingFetch(answer: (request: SentRequest) => Response | Promise<Response>) {
  const sent: SentRequest[] = [];
  const fetch = async (input: URL, init: RequestInit) => {
    const request: SentRequest = {
      url: input.toString(),
      method: init.method ?? 'GET',
      authorization: new Headers(init.headers).get('authorization'),
      body: init.body,
    };
    sent.push(request);
    await Promise.resolve();
    return answer(request);
  };
  return { fetch, sent };
}

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export const NOT_AUTHORIZED = { code: 57, message: 'You are not authorized to perform this operation' };

/** Zoho: only the token of `validVersion` is accepted (an older one was revoked or evicted). */
export const zohoAccepting = (validVersion: number) => (request: SentRequest) =>
  request.authorization === authorizationOf(validVersion)
    ? json(200, { code: 0, message: 'success' })
    : json(401, NOT_AUTHORIZED);

/** What a `zohoFetch` test sees and steers; reset before each test. */
export type ConsumerWorld = ReturnType<typeof useConsumerWorld>;

/**
 * Call once at the top of a test file: mocks Secrets Manager and EventBridge, and before each test
 * stores version 1 (version v expires at T0 + v hours), makes a PutEvents "refresh" the token
 * (stored + 1, as the refresher would) while `refreshOnReport` is set, and restarts the clock.
 */
export function useConsumerWorld(clockStart = T0) {
  const world = {
    sm: mockClient(SecretsManagerClient),
    eb: mockClient(EventBridgeClient),
    clock: new RecordingClock(clockStart),
    stored: 1,
    refreshOnReport: true,
    clientOptions,
    client,
    refreshLandsOnRead,
  };
  /** The options of a client on this world (no refresh-wait override). */
  function clientOptions(fetch: FetchFunction, clock: Clock = world.clock): ZohoClientOptions {
    return {
      connectionId: CONNECTION_ID,
      eventBusName: BUS,
      secretsClient: new SecretsManagerClient({ region: 'eu-west-1' }),
      eventBridgeClient: new EventBridgeClient({ region: 'eu-west-1' }),
      fetch,
      clock,
    };
  }
  /** A client on this world; `timeoutMs` bounds its wait for a refreshed token. */
  function client(fetch: FetchFunction, timeoutMs?: number, failFastMs?: number): ZohoClient {
    return createZohoClient({
      ...clientOptions(fetch),
      waitForRefresh: { timeoutMs, failFastMs },
    });
  }
  /** The refresher stores version 2 by the `read`-th secret read, whatever is reported. */
  function refreshLandsOnRead(read: number): void {
    world.refreshOnReport = false;
    let reads = 0;
    world.sm.on(GetSecretValueCommand).callsFake(async () => {
      reads += 1;
      const version = reads >= read ? 2 : 1;
      return { SecretString: secretString(version, T0 + version * HOUR) };
    });
  }
  beforeEach(() => {
    world.sm.reset();
    world.eb.reset();
    world.clock = new RecordingClock(clockStart);
    world.stored = 1;
    world.refreshOnReport = true;
    world.sm.on(GetSecretValueCommand).callsFake(async () => ({
      SecretString: secretString(world.stored, T0 + world.stored * HOUR),
    }));
    world.eb.on(PutEventsCommand).callsFake(async () => {
      if (world.refreshOnReport) world.stored += 1;
      return { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] };
    });
  });
  return world;
}
