/**
 * middy middleware: hands the handler a fresh token and a Try-Catch-Refresh `fetch` on
 * `context.zoho`. The client is built when the middleware is (module scope, once per container).
 */
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { AccessTokenView } from './token-reader';
import { createZohoClient, type ZohoClient, type ZohoClientOptions, type ZohoFetch } from './zoho-fetch';

/** What the middleware puts on the Lambda context. */
export interface ZohoContextValue {
  /** The token current when the invocation began; prefer `fetch`, which survives a refresh. */
  readonly token: AccessTokenView;
  /** The client's fetch; rejection events carry the invocation's `awsRequestId`. */
  readonly fetch: ZohoFetch;
}

/** The Lambda context as the handler sees it behind the middleware. */
export type ZohoLambdaContext = Context & { zoho: ZohoContextValue };

/** Either a client built once elsewhere, or the options to build one. */
export type ZohoTokenMiddlewareOptions = ZohoClientOptions | { readonly client: ZohoClient };

/**
 * `middy(fn).use(zohoTokenMiddleware({ connectionId, eventBusName }))`. Before the handler it reads
 * the token (from memory when cached) and sets `context.zoho = { token, fetch }`.
 */
export function zohoTokenMiddleware(
  options: ZohoTokenMiddlewareOptions,
): MiddlewareObj<unknown, unknown, Error, ZohoLambdaContext> {
  const client = 'client' in options ? options.client : createZohoClient(options);
  return {
    name: 'zohoToken',
    before: async (request) => {
      const token = await client.tokenReader.getToken();
      const requestId = request.context.awsRequestId;
      const fetch: ZohoFetch = (pathOrUrl, init) => client.fetch(pathOrUrl, { requestId, ...init });
      request.context.zoho = { token, fetch };
    },
  };
}
