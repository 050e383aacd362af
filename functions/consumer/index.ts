/**
 * `zoho-token-refresher/consumer`: what a Lambda that calls Zoho imports. It reads the connection's
 * access token from Secrets Manager (cached per container), calls Zoho with it, and on a 401 asks
 * the refresher for a new token and retries once. No refresh logic lives in the consumer.
 *
 * @example
 * ```ts
 * import middy from '@middy/core';
 * import { zohoTokenMiddleware } from 'zoho-token-refresher/consumer';
 *
 * // Module scope: one client per container. The function is bound in CDK with
 * // refresher.bindConsumer(fn, 'acme-books'): its grant and the settings read here. Unbound, pass
 * // them: zohoTokenMiddleware({ connectionId: 'acme-books', eventBusName: 'zoho-token-refresher' }).
 * const zoho = zohoTokenMiddleware();
 *
 * export const handler = middy()
 *   .use(zoho)
 *   .handler(async (_event, context) => {
 *     const response = await context.zoho.fetch('/books/v3/organizations');
 *     return response.json();
 *   });
 * ```
 * A full example, with its settings read from the environment: `functions/example-consumer/handler.ts`.
 *
 * @packageDocumentation
 */

/** Base class of every error this package throws; classify with `instanceof`. */
export { ZohoTokenRefresherError } from '../core/errors';
/** The optional logger of `createZohoClient` and the middleware: `console`, a Powertools Logger, … */
export type { ConsumerLogAttributes, ConsumerLogger } from './consumer-log';
/** Typed errors; classify with `instanceof`. Messages never contain a token. */
export {
  ConnectionTokenNotFoundError,
  ForeignOriginError,
  MalformedTokenSecretError,
  type RefreshWaitReason,
  TokenExpiredError,
  TokenRefreshTimeoutError,
  TokenRejectionReportError,
  TokenSecretReadError,
  ZohoPermissionError,
} from './errors';
/** middy middleware that puts `{ token, fetch }` on `context.zoho`. */
export {
  type ZohoContextValue,
  type ZohoLambdaContext,
  type ZohoTokenMiddlewareOptions,
  zohoTokenMiddleware,
} from './middleware';
/** The "Zoho Token Rejected" event, for consumers that call Zoho without `zohoFetch`. */
export {
  createRejectionReporter,
  type RejectionReporter,
  type RejectionReporterOptions,
  type TokenRejectedDetail,
} from './rejection-reporter';
/** The cached reader of a connection's access-token secret. */
export {
  type AccessTokenView,
  createTokenReader,
  type TokenReader,
  type TokenReaderOptions,
  type WaitOptions,
} from './token-reader';
/** `fetch` for Zoho with Try-Catch-Refresh. */
export {
  createZohoClient,
  type FetchFunction,
  type WaitForRefreshOptions,
  type ZohoClient,
  type ZohoClientOptions,
  type ZohoFetch,
  type ZohoRequestInit,
} from './zoho-fetch';
