/**
 * middy middleware: hands the handler a fresh token and a Try-Catch-Refresh `fetch` on
 * `context.zoho`. The client is built when the middleware is (module scope, once per container).
 */
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { TokenExpiredError } from './errors';
import type { AccessTokenView } from './token-reader';
import { createZohoClient, type ZohoClient, type ZohoClientOptions, type ZohoFetch } from './zoho-fetch';

/** What the middleware puts on the Lambda context. */
export interface ZohoContextValue {
  /**
   * The newest token this container holds, looked up (in memory, no I/O) at each access. It may be
   * expired when the refresher was behind as the invocation began: `fetch` then reports it and
   * waits for a newer one, after which `token` is that newer one. Check `expiresAt` before sending
   * it yourself; prefer `fetch`, which heals.
   */
  readonly token: AccessTokenView;
  /** The client's fetch; rejection events carry the invocation's `awsRequestId`. */
  readonly fetch: ZohoFetch;
}

/** The Lambda context as the handler sees it behind the middleware. */
export type ZohoLambdaContext = Context & { zoho: ZohoContextValue };

/** Either a client built once elsewhere, or the options to build one. */
export type ZohoTokenMiddlewareOptions = ZohoClientOptions | { readonly client: ZohoClient };

/**
 * `middy(fn).use(zohoTokenMiddleware({ connectionId, eventBusName }))`, or with no options in a
 * function bound by `bindConsumer(fn, connectionId)`. Before the handler it reads
 * the token (from memory when cached) and sets `context.zoho = { token, fetch }`. A missing or
 * unreadable secret fails the invocation here; an expired token does not: failing would stop the
 * very calls that report it, and `fetch` heals it (reports it, waits for the refresh, then calls).
 */
export function zohoTokenMiddleware(
  options: ZohoTokenMiddlewareOptions = {},
): MiddlewareObj<unknown, unknown, Error, ZohoLambdaContext> {
  const client = 'client' in options ? options.client : createZohoClient(options);
  const reader = client.tokenReader;
  return {
    name: 'zohoToken',
    before: async (request) => {
      const start = await reader.getToken().catch((error: unknown) => {
        const expired = error instanceof TokenExpiredError ? reader.peek() : undefined;
        if (expired === undefined) throw error;
        return expired;
      });
      const requestId = request.context.awsRequestId;
      const fetch: ZohoFetch = (pathOrUrl, init) => client.fetch(pathOrUrl, { requestId, ...init });
      request.context.zoho = {
        // A getter, so that after `fetch` healed an expired token the handler sees the new one.
        get token() {
          const latest = reader.peek();
          return latest !== undefined && latest.version > start.version ? latest : start;
        },
        fetch,
      };
    },
  };
}
