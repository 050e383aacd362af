/**
 * Connect links: what an operator sends a customer so that the customer authorises a connection on
 * Zoho's own consent page (the server-based client flow, ZOHO.md §6). A link is a random `state`
 * bound server-side to one connection id, client app and accounts server; it expires, and a
 * conditional write consumes it, so it works once. Only its hash is stored: the table holds nothing
 * a reader could turn back into a working link.
 */
import { type EpochMillis, parseConnectionId } from './connection';
import { InvalidInputError } from './errors';
import type { Clock } from './ports';

/** How long a link from `zoho-tokens link create` lives unless told otherwise. */
export const DEFAULT_LINK_LIFETIME_MS = 30 * 60_000;
/** The shortest and longest lifetime a link may be given. */
export const MIN_LINK_LIFETIME_MS = 60_000;
export const MAX_LINK_LIFETIME_MS = 7 * 24 * 60 * 60_000;
/**
 * Lifetime of the link a `Zoho Reauthorization Required` event carries: long enough for an alarm
 * to reach an operator and the operator to reach the customer, short enough not to lie around.
 */
export const REAUTHORIZATION_LINK_LIFETIME_MS = 72 * 60 * 60_000;
/** The scope a link asks for unless told otherwise. */
export const DEFAULT_LINK_SCOPE = 'ZohoBooks.fullaccess.all';

/** The two paths of the connect endpoint. */
export const CONNECT_PATH = '/connect';
export const CALLBACK_PATH = '/callback';

/** One link as stored (keyed by the hash of its state; the state itself is never stored). */
export interface ConnectLink {
  readonly stateHash: string;
  readonly connectionId: string;
  readonly clientRef: string;
  /** The link's data centre (`us`, `eu`, … or `custom`): the callback must come from it. */
  readonly dc: string;
  /** Where the customer consents, and the only accounts server the callback may name. */
  readonly accountsServer: string;
  /** Space-separated Zoho scopes. */
  readonly scope: string;
  /** May replace the refresh token of an active connection (an operator asked for that). */
  readonly reauthorize: boolean;
  readonly createdAt: EpochMillis;
  readonly expiresAt: EpochMillis;
  /** When the callback consumed it; a used link never works again. */
  readonly usedAt?: EpochMillis;
}

/** What consuming a state found. */
export type ConsumedLink =
  | { readonly kind: 'consumed'; readonly link: ConnectLink }
  | { readonly kind: 'unknown' | 'used' | 'expired' };

/** Link states in a table. */
export interface LinkStore {
  /** Stores a new link; a hash collision (never expected) throws rather than overwrite. */
  put(link: ConnectLink): Promise<void>;
  get(stateHash: string): Promise<ConnectLink | undefined>;
  /**
   * One conditional write: marks the link used only if it exists, is unused and unexpired at `now`.
   * Of two callbacks with one state, exactly one gets `consumed`.
   */
  consume(stateHash: string, now: EpochMillis): Promise<ConsumedLink>;
}

/** Makes states and hashes them (a CSPRNG and SHA-256 in production). */
export interface LinkStates {
  /** A fresh state: at least 128 bits of randomness, URL-safe. */
  newState(): string;
  hash(state: string): string;
}

/** What a link creator needs. */
export interface LinkDependencies {
  readonly links: LinkStore;
  readonly states: LinkStates;
  readonly clock: Clock;
}

/** What a link is for. */
export interface LinkRequest {
  readonly connectionId: string;
  readonly clientRef: string;
  /** The data centre, resolved (a custom accounts server only if the operator allowed it). */
  readonly location: { readonly dc: string; readonly accountsServer: string };
  /** @default DEFAULT_LINK_SCOPE */
  readonly scope?: string;
  /** @default DEFAULT_LINK_LIFETIME_MS */
  readonly lifetimeMs?: number;
  /** @default false */
  readonly reauthorize?: boolean;
}

/** A link as handed to the operator: the URL holds the state, so treat it as a one-time password. */
export interface IssuedLink {
  readonly url: string;
  readonly expiresAt: EpochMillis;
  readonly connectionId: string;
}

const SCOPE = /^[A-Za-z0-9._-]+(?:[ ,][A-Za-z0-9._-]+)*$/;

/** Creates and stores a link; throws InvalidInputError for a bad id, scope, lifetime or base URL. */
export async function createConnectLink(
  deps: LinkDependencies,
  baseUrl: string,
  request: LinkRequest,
): Promise<IssuedLink> {
  const base = normaliseBaseUrl(baseUrl);
  const connectionId = parseConnectionId(request.connectionId);
  const scope = request.scope ?? DEFAULT_LINK_SCOPE;
  if (!SCOPE.test(scope) || scope.length > 1000) {
    throw new InvalidInputError('scope must be Zoho scope names separated by commas or spaces');
  }
  const lifetimeMs = request.lifetimeMs ?? DEFAULT_LINK_LIFETIME_MS;
  if (!(lifetimeMs >= MIN_LINK_LIFETIME_MS && lifetimeMs <= MAX_LINK_LIFETIME_MS)) {
    throw new InvalidInputError('a link lives between 1 minute and 7 days');
  }
  const state = deps.states.newState();
  const now = deps.clock.now();
  const link: ConnectLink = {
    stateHash: deps.states.hash(state),
    connectionId,
    clientRef: request.clientRef,
    dc: request.location.dc,
    accountsServer: request.location.accountsServer,
    scope,
    reauthorize: request.reauthorize ?? false,
    createdAt: now,
    expiresAt: now + lifetimeMs,
  };
  await deps.links.put(link);
  return { url: linkUrl(base, state), expiresAt: link.expiresAt, connectionId };
}

/** `<base>/connect?state=S`. */
export function linkUrl(baseUrl: string, state: string): string {
  return `${normaliseBaseUrl(baseUrl)}${CONNECT_PATH}?state=${encodeURIComponent(state)}`;
}

/** The redirect URI to register in Zoho's API console: `<base>/callback`. */
export function redirectUriOf(baseUrl: string): string {
  return `${normaliseBaseUrl(baseUrl)}${CALLBACK_PATH}`;
}

/**
 * A base URL without a trailing slash: https, or plain http on a loopback host (the local connect
 * server). Throws InvalidInputError otherwise: a link must not send a state over the open network.
 */
export function normaliseBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new InvalidInputError(
      `the connect endpoint's base URL is not a URL: ${JSON.stringify(baseUrl.slice(0, 80))}`,
    );
  }
  const loopback =
    url.hostname === 'localhost' || url.hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(url.hostname);
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    throw new InvalidInputError('the connect endpoint must be https (plain http only on a loopback host)');
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new InvalidInputError('the connect endpoint base URL takes no query, fragment or credentials');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
