/** Helpers of the Zoho adapter tests: a recording fake `fetch` and error capture with a leak check. */
import { expect } from 'vitest';
import { type ParseOptions, parseTokenResponse } from '../../../functions/zoho/token-response';
import { SECRET_MARKERS as SHARED_MARKERS } from '../../support/secret-markers';

export interface RecordedCall {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: string;
  readonly redirect: RequestInit['redirect'];
  readonly signal: AbortSignal | undefined;
}

export interface FakeFetch {
  readonly fetch: typeof fetch;
  readonly calls: RecordedCall[];
}

/** A fetch that records every call and answers with `respond`. */
export function fakeFetch(respond: (call: RecordedCall) => Response | Promise<Response>): FakeFetch {
  const calls: RecordedCall[] = [];
  const fetchImpl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call: RecordedCall = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : String(init?.body ?? ''),
      redirect: init?.redirect,
      signal: init?.signal ?? undefined,
    };
    calls.push(call);
    return respond(call);
  };
  return { fetch: fetchImpl as typeof fetch, calls };
}

/** Always answers `status` with `body` (an object is sent as JSON). */
export function answering(status: number, body: unknown): FakeFetch {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return fakeFetch(() => new Response(text, { status }));
}

/** Never answers; rejects only when the request's signal aborts, as the platform fetch does. */
export function hangingUntilAborted(): FakeFetch {
  return fakeFetch(
    (call) =>
      new Promise<Response>((_, reject) => {
        call.signal?.addEventListener('abort', () => reject(call.signal?.reason), { once: true });
      }),
  );
}

/** Runs `act` and returns what it threw (sync or async); fails the test when nothing was thrown. */
export async function caught(act: () => unknown): Promise<Error> {
  try {
    await act();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected an error, but none was thrown');
}

/** The shared markers plus this suite's own for grant codes. */
const SECRET_MARKERS = [...SHARED_MARKERS, 'test-code-'];

/** Asserts that neither the message, the stack nor any cause carries a fake secret. */
export function expectNoSecrets(error: Error): void {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    for (const marker of SECRET_MARKERS) {
      expect(current.message).not.toContain(marker);
      expect(current.stack ?? '').not.toContain(marker);
    }
    current = current.cause;
  }
}

/** The form fields of a recorded body, as a plain object. */
export const formOf = (call: RecordedCall | undefined): Record<string, string> =>
  Object.fromEntries(new URLSearchParams(call?.body ?? ''));

/** An access token of the token-response tests. */
export const AT = 'test-at-1000.aaaa.bbbb';

/** The success body Zoho documents (ZOHO.md §1). */
export const DOCUMENTED_SUCCESS = {
  access_token: AT,
  expires_in: 3600,
  api_domain: 'https://www.zohoapis.com',
  token_type: 'Bearer',
};

/** Parses `body` as a refresh answer; an object is sent as JSON, a string as is. */
export const parseBody = (status: number, body: unknown, options: ParseOptions = {}) =>
  parseTokenResponse(status, typeof body === 'string' ? body : JSON.stringify(body), options);
