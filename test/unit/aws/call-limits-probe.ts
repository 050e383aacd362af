/**
 * Reads back the call limits an SDK client was built with, through the SDK's public surface: the
 * resolved `maxAttempts` provider, and the request handler's `httpHandlerConfigs()` — which the Node
 * handler fills on its first request, so the probe hands it one already aborted (no network).
 */

/** What client-config.ts sets, as the client resolved it. */
export interface ResolvedCallLimits {
  readonly connectionTimeout: unknown;
  readonly requestTimeout: unknown;
  readonly socketTimeout: unknown;
  readonly throwOnRequestTimeout: unknown;
  readonly maxAttempts: number;
}

interface ProbedHandler {
  handle(request: object, options: { abortSignal: AbortSignal }): Promise<unknown>;
  httpHandlerConfigs(): Record<string, unknown>;
}

/** Any SDK v3 client: its resolved configuration is what the probe reads. */
export interface ProbedClient {
  readonly config: { readonly requestHandler: unknown; readonly maxAttempts: () => Promise<number> };
}

export async function callLimitsOf(client: ProbedClient): Promise<ResolvedCallLimits> {
  const handler = client.config.requestHandler as ProbedHandler;
  const request = {
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 9,
    method: 'GET',
    path: '/',
    headers: {},
  };
  await handler.handle(request, { abortSignal: AbortSignal.abort() }).catch(() => undefined);
  const { connectionTimeout, requestTimeout, socketTimeout, throwOnRequestTimeout } =
    handler.httpHandlerConfigs();
  return {
    connectionTimeout,
    requestTimeout,
    socketTimeout,
    throwOnRequestTimeout,
    maxAttempts: await client.config.maxAttempts(),
  };
}

/** The limits every client of the functions, the consumer library and the CLI (real AWS) carries. */
export const FUNCTION_CALL_LIMITS: ResolvedCallLimits = {
  connectionTimeout: 1_000,
  requestTimeout: 2_000,
  socketTimeout: 2_000,
  throwOnRequestTimeout: true,
  maxAttempts: 2,
};
