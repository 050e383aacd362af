/**
 * The connect endpoint as a Lambda Function URL handler, before middleware: `GET /connect` and
 * `GET /callback`, each answered with a redirect or a page. Nothing from the query is ever logged
 * or echoed: it holds the link's state and Zoho's code.
 */
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import type { RequestLimiter } from '../aws/request-limiter';
import { type CallbackDependencies, completeConnectLink } from '../core/complete-link';
import { CALLBACK_PATH, CONNECT_PATH, normaliseBaseUrl } from '../core/connect-link';
import { openConnectLink } from '../core/open-link';
import { type PageKind, renderPage, SECURITY_HEADERS } from './pages';

export interface ConnectHandlerDependencies extends CallbackDependencies {
  readonly limiter: RequestLimiter;
  /**
   * The endpoint's public base URL (what Zoho's console has as `<base>/callback`).
   * @default `https://` + the Function URL's own domain
   */
  readonly baseUrl?: string;
}

/** What the Function URL answers: always a status, headers and a (possibly empty) body. */
export interface ConnectAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The handler: one request, one answer; it never throws (a thrown error would be a bare 502). */
export function createConnectHandler(deps: ConnectHandlerDependencies) {
  return async (event: LambdaFunctionURLEvent): Promise<ConnectAnswer> => {
    try {
      return await route(deps, event);
    } catch (error) {
      deps.log.error('The connect endpoint failed', {
        errorName: error instanceof Error ? error.name : typeof error,
      });
      return page(deps, 'internal_error');
    }
  };
}

async function route(
  deps: ConnectHandlerDependencies,
  event: LambdaFunctionURLEvent,
): Promise<ConnectAnswer> {
  const path = event.rawPath.replace(/\/+$/, '');
  if (path !== CONNECT_PATH && path !== CALLBACK_PATH) return page(deps, 'not_found');
  if (event.requestContext.http.method !== 'GET') return page(deps, 'method_not_allowed');
  if (!(await deps.limiter.admit(event.requestContext.http.sourceIp, deps.clock.now()))) {
    return page(deps, 'rate_limited');
  }
  const query = new URLSearchParams(event.rawQueryString);
  const one = (name: string) => query.get(name) ?? undefined;
  const baseUrl = normaliseBaseUrl(deps.baseUrl ?? `https://${event.requestContext.domainName}`);
  if (path === CONNECT_PATH) {
    const opened = await openConnectLink(deps, { state: one('state'), baseUrl });
    if (opened.kind !== 'redirect') return page(deps, opened.kind);
    deps.log.info('A link was opened', { connectionId: opened.connectionId });
    return { statusCode: 302, headers: { ...SECURITY_HEADERS, location: opened.location }, body: '' };
  }
  const outcome = await completeConnectLink(deps, {
    state: one('state'),
    code: one('code'),
    error: one('error'),
    location: one('location'),
    accountsServer: one('accounts-server'),
    redirectUri: `${baseUrl}${CALLBACK_PATH}`,
  });
  return page(deps, outcome.kind, 'connectionId' in outcome ? outcome.connectionId : undefined);
}

function page(deps: ConnectHandlerDependencies, kind: PageKind, connectionId?: string): ConnectAnswer {
  const { status, html } = renderPage(kind);
  const line = { page: kind, status, ...(connectionId === undefined ? {} : { connectionId }) };
  if (status >= 500) deps.log.error('The connect endpoint answered a failure', line);
  else deps.log.info('The connect endpoint answered', line);
  if (kind !== 'connected') deps.metrics.add('ConnectLinkFailed', 1, 'Count', kind);
  else deps.metrics.add('ConnectLinkCompleted', 1, 'Count');
  return {
    statusCode: status,
    headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' },
    body: html,
  };
}
