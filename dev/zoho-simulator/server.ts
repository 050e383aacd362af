import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { handleRevoke, handleToken } from './accounts';
import { handleOrganizations } from './books-api';
import { answerConsent, isConsentRequest } from './consent';
import type { SimCounters } from './counters';
import type { SimDc } from './dcs';
import {
  cannedReply,
  type Fault,
  type FaultBook,
  type FaultEndpoint,
  isSuccessShape,
  shapeTokenSuccess,
} from './faults';
import type { SimRole } from './listeners';
import { jsonReply, NOT_FOUND, type Reply } from './replies';
import type { SimState } from './state';

/** What the request handler needs from the running simulator. */
export interface SimContext {
  readonly state: SimState;
  readonly counters: SimCounters;
  readonly faults: FaultBook;
  readonly apiDomain: (dc: SimDc) => string;
  /** A real-time wait that `stop()` can cancel, so a latency fault never outlives the server. */
  readonly delay: (ms: number) => Promise<void>;
}

interface Route {
  readonly endpoint: FaultEndpoint;
  readonly dc: SimDc;
}

/** What each of a data centre's two origins answers at its root, as Zoho's hosts do. */
const ROUTES: readonly { role: SimRole; method: string; path: string; endpoint: FaultEndpoint }[] = [
  { role: 'accounts', method: 'POST', path: '/oauth/v2/token', endpoint: 'token' },
  { role: 'accounts', method: 'POST', path: '/oauth/v2/token/revoke', endpoint: 'revoke' },
  { role: 'api', method: 'GET', path: '/books/v3/organizations', endpoint: 'books' },
];

const MAX_BODY_BYTES = 64 * 1024;

/**
 * The request listener of one data centre's accounts server or api domain. It never logs: requests
 * carry secrets and tokens.
 */
export function createRequestListener(ctx: SimContext, dc: SimDc, role: SimRole): RequestListener {
  const at = { dc, role };
  return (req, res) => {
    handle(ctx, at, req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else send(res, jsonReply(500, { error: 'simulator_error' }));
    });
  };
}

async function handle(
  ctx: SimContext,
  at: { dc: SimDc; role: SimRole },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const body = await readBody(req);
  if (at.role === 'accounts' && isConsentRequest(req.method, url.pathname)) {
    const params = new URLSearchParams(url.search);
    for (const [name, value] of new URLSearchParams(body)) params.set(name, value);
    const answer = answerConsent(ctx.state, at.dc, req, params);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
    return;
  }
  const route = matchRoute(req.method, url.pathname, at);
  if (route === undefined) return send(res, NOT_FOUND);
  // Zoho takes its parameters from the query string as well as from a form body; the body wins.
  const params = new URLSearchParams(url.search);
  for (const [name, value] of new URLSearchParams(body)) params.set(name, value);
  count(ctx.counters, route, params);

  let fault = ctx.faults.take(route.endpoint);
  if (typeof fault === 'object') {
    await ctx.delay(fault.latencyMs);
    fault = undefined;
  }
  if (fault === 'hang') return; // stop() destroys the socket; until then the client waits
  if (fault === 'reset') {
    req.socket.destroy();
    return;
  }
  const reply = (fault && cannedReply(route.endpoint, fault)) ?? answer(ctx, route, params, req, fault);
  if (route.endpoint === 'books' && reply.status === 401) ctx.counters.books401 += 1;
  send(res, reply);
}

function answer(
  ctx: SimContext,
  route: Route,
  params: URLSearchParams,
  req: IncomingMessage,
  fault: Fault | undefined,
): Reply {
  switch (route.endpoint) {
    case 'books':
      return handleOrganizations(ctx.state, route.dc, req.headers.authorization);
    case 'revoke':
      return handleRevoke(ctx, route.dc, params);
    case 'token': {
      const outcome = handleToken(ctx, route.dc, params);
      if (outcome.kind === 'reply') return outcome.reply;
      const lifetime = ctx.state.settings.accessTokenLifetimeSeconds;
      const body = isSuccessShape(fault) ? shapeTokenSuccess(outcome.body, fault, lifetime) : outcome.body;
      return jsonReply(200, body);
    }
  }
}

function count(counters: SimCounters, route: Route, params: URLSearchParams): void {
  if (route.endpoint === 'token') {
    const grantType = params.get('grant_type') ?? undefined;
    counters.recordToken(route.dc, grantType, params.get('refresh_token') ?? undefined);
  } else if (route.endpoint === 'revoke') {
    counters.revoke += 1;
  } else {
    counters.books += 1;
  }
}

function matchRoute(
  method: string | undefined,
  pathname: string,
  at: { dc: SimDc; role: SimRole },
): Route | undefined {
  const route = ROUTES.find(
    (candidate) => candidate.role === at.role && candidate.method === method && candidate.path === pathname,
  );
  return route === undefined ? undefined : { endpoint: route.endpoint, dc: at.dc };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, {
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}
