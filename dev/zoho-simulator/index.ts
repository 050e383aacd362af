import { SimCounters, type ZohoSimulatorCalls } from './counters';
import { assertSimDc } from './dcs';
import { FaultBook, type ZohoSimulatorFaults } from './faults';
import { type DcListeners, listenPerDc, type SimRole } from './listeners';
import { createRequestListener } from './server';
import {
  type ClientRegistration,
  type GrantCodeIssueRequest,
  type IssueRequest,
  type SimSettings,
  SimState,
} from './state';

export type { ZohoSimulatorCalls } from './counters';
export { SIM_DCS, type SimDc } from './dcs';
export {
  BOOKS_FAULTS,
  type BooksFault,
  type Fault,
  type FaultEndpoint,
  FOREIGN_API_DOMAIN,
  type LatencyFault,
  REVOKE_ERROR_FAULTS,
  type RevokeErrorFault,
  TOKEN_ERROR_FAULTS,
  TOKEN_OUT_OF_LIMITS_SHAPES,
  TOKEN_SUCCESS_SHAPES,
  type TokenFault,
  TRANSPORT_FAULTS,
  type TransportFault,
  type ZohoSimulatorFaults,
} from './faults';
export type { ClientRegistration, GrantCodeIssueRequest, IssueRequest } from './state';

export interface ZohoSimulatorOptions {
  /** Where every data centre listens, on free ports of its own. @default '127.0.0.1' */
  readonly host?: string;
  /** @default 3600 (the sandbox uses about 60 to watch refreshes happen) */
  readonly accessTokenLifetimeSeconds?: number;
  /** Token requests allowed per refresh token in one window. @default 10 */
  readonly throttleLimit?: number;
  /** @default 600_000 */
  readonly throttleWindowMs?: number;
  /** Live access tokens per refresh token; the oldest dies silently past this. @default 15 */
  readonly maxActiveAccessTokens?: number;
  /** @default 180_000 (a Self Client code) */
  readonly grantCodeLifetimeMs?: number;
  /** @default 60_000 (a server-based client's redirect-flow code, ZOHO.md §3) */
  readonly redirectGrantCodeLifetimeMs?: number;
  /** The clock for expiry and throttling, so tests can advance time. @default Date.now */
  readonly now?: () => number;
}

/**
 * A running simulation of Zoho Accounts and Zoho Books for every data centre. Each data centre has
 * two local servers, so its accounts server and api domain are distinct origins as Zoho's are
 * (`http://127.0.0.1:<port>` for `https://accounts.zoho.eu` and for `https://www.zohoapis.eu`), and
 * the real adapters reach them without any rewriting. State, faults, counters and the clock are shared.
 */
export interface ZohoSimulator {
  /**
   * The accounts server of `dc`, an origin serving `/oauth/v2/token` and `/oauth/v2/token/revoke`;
   * use it where the real one would be `https://accounts.zoho.<tld>`.
   */
  accountsServer(dc: string): string;
  /** The `api_domain` the simulator hands out for `dc`, an origin serving `/books/v3/organizations`. */
  apiDomain(dc: string): string;
  registerClient(registration: ClientRegistration): void;
  /** A refresh token (contains `sim-rt-`) as if the user had authorised `clientId` in `dc`. */
  issueRefreshToken(request: IssueRequest): string;
  /**
   * A single-use grant code: a Self Client's, or with `redirectUri` a server-based client's redirect-flow
   * code, which must be exchanged with exactly that `redirect_uri`.
   */
  issueGrantCode(request: GrantCodeIssueRequest): string;
  /** Revokes a refresh token and its access tokens; false when it was unknown. */
  revokeRefreshToken(token: string): boolean;
  /** Makes held access tokens (of one refresh token, or all) expire now. */
  expireAccessTokens(refreshToken?: string): void;
  readonly faults: ZohoSimulatorFaults;
  readonly calls: ZohoSimulatorCalls;
  resetCounters(): void;
  /** Forgets clients, tokens, codes, throttle windows, faults and counters. */
  reset(): void;
  /** Closes every data centre's servers and every socket, hung requests included. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the simulator and resolves once it listens. */
export async function startZohoSimulator(options: ZohoSimulatorOptions = {}): Promise<ZohoSimulator> {
  const state = new SimState(settingsFrom(options));
  const counters = new SimCounters();
  const faults = new FaultBook();
  const timers = new Set<NodeJS.Timeout>();
  let origins: DcListeners['origins'] | undefined;
  const originOf = (role: SimRole) => (dc: string) => {
    if (origins === undefined) throw new Error('the Zoho simulator is not listening yet');
    return origins[assertSimDc(dc)][role];
  };
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const ctx = { state, counters, faults, apiDomain: originOf('api'), delay };
  const host = options.host ?? '127.0.0.1';
  const listeners = await listenPerDc(host, (dc, role) => createRequestListener(ctx, dc, role));
  origins = listeners.origins;

  let stopped: Promise<void> | undefined;
  return {
    accountsServer: originOf('accounts'),
    apiDomain: originOf('api'),
    registerClient: (registration) => state.registerClient(registration),
    issueRefreshToken: (request) => state.issueRefreshToken(request),
    issueGrantCode: (request) => state.issueGrantCode(request),
    revokeRefreshToken: (token) => state.revokeRefreshToken(token),
    expireAccessTokens: (refreshToken) => state.expireAccessTokens(refreshToken),
    faults,
    calls: counters,
    resetCounters: () => counters.reset(),
    reset: () => {
      state.clear();
      faults.clear();
      counters.reset();
    },
    stop: () => {
      if (stopped === undefined) {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        stopped = listeners.close();
      }
      return stopped;
    },
  };
}

function settingsFrom(options: ZohoSimulatorOptions): SimSettings {
  const settings: SimSettings = {
    accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
    throttleLimit: options.throttleLimit ?? 10,
    throttleWindowMs: options.throttleWindowMs ?? 600_000,
    maxActiveAccessTokens: options.maxActiveAccessTokens ?? 15,
    grantCodeLifetimeMs: options.grantCodeLifetimeMs ?? 180_000,
    redirectGrantCodeLifetimeMs: options.redirectGrantCodeLifetimeMs ?? 60_000,
    now: options.now ?? Date.now,
  };
  for (const [name, value] of Object.entries(settings)) {
    if (typeof value === 'number' && !(Number.isInteger(value) && value > 0)) {
      throw new Error(`Zoho simulator option ${name} must be a positive integer (got ${value})`);
    }
  }
  return settings;
}
