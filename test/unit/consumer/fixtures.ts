/**
 * Shared fakes of the consumer tests: a secret store behind the Secrets Manager mock, a clock that
 * records its sleeps, and a fetch that answers per token and records what it was sent.
 */
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
