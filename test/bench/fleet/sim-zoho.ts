/**
 * Zoho's accounts servers, simulated: a log-normal answer time (median 150 ms) with a heavy tail,
 * a share of transient faults, the client's timeout, an outage window of one data centre, refresh
 * tokens a user revoked, and Zoho's own rule of 10 token requests per refresh token per 10 minutes
 * (the 11th is throttled) so that the core's budget is checked against the real limit.
 */
import type { EpochMillis } from '../../../functions/core/connection';
import {
  ReauthorizationRequiredError,
  ZohoThrottledError,
  ZohoTransientError,
} from '../../../functions/core/errors';
import type { ZohoAccounts, ZohoTokenRequest } from '../../../functions/core/ports';
import { ZOHO_TOKEN_REQUEST_LIMIT, ZOHO_TOKEN_WINDOW_MS } from '../../../functions/core/refresh-policy';
import type { CodeExchangeGrant, TokenGrant } from '../../../functions/core/token';
import { ZOHO_DATA_CENTRES } from '../../../functions/zoho/data-centres';
import { type CallContext, never } from './aws-calls';
import { seededIndex } from './connection-table';
import type { SimEnvironment } from './sim-environment';

/** One data centre's accounts server down for a while. */
export interface ZohoOutage {
  readonly dc: string;
  readonly from: EpochMillis;
  readonly until: EpochMillis;
  /** `unavailable`: a 503 at once; `unreachable`: no answer until the client's timeout. */
  readonly kind: 'unavailable' | 'unreachable';
}

export interface ZohoModel {
  /** Median answer time and the shape (sigma of the logarithm) of the log-normal body. */
  readonly medianMs: number;
  readonly sigma: number;
  /** Share of calls in a heavy (Pareto) tail starting at `tailScaleMs`. */
  readonly tailShare: number;
  readonly tailScaleMs: number;
  readonly tailAlpha: number;
  /** The client's timeout: a slower answer is a ZohoTransientError at this time. */
  readonly timeoutMs: number;
  /** Share of calls that fail transiently (5xx, reset). */
  readonly faultRate: number;
  /** CPU per call at one vCPU (TLS, parsing). */
  readonly cpuMsPerCall: number;
  readonly tokenLifetimeSeconds: number;
  readonly outage?: ZohoOutage;
}

/** What Zoho saw, across every invocation. */
export class ZohoCloud {
  /** Token requests that reached an accounts server (each counts against Zoho's limits). */
  calls = 0;
  grants = 0;
  faults = 0;
  timeouts = 0;
  outageFailures = 0;
  throttled = 0;
  rejectedRevoked = 0;
  /** Per refresh token, the times of its last LIMIT requests (a ring) and the ring's next slot. */
  #times = new Float64Array(0);
  #next = new Uint8Array(0);
  /** Per connection (its index), 1 once its refresh token is revoked. */
  #revoked = new Uint8Array(0);
  #revocations = 0;
  readonly #dcOf = new Map(ZOHO_DATA_CENTRES.map((entry) => [entry.accountsServer, entry]));

  constructor(readonly model: ZohoModel) {}

  /** The user revoked `refreshToken` (or Zoho evicted it): every later refresh is refused. */
  revoke(refreshToken: string): void {
    const index = fleetIndexOf(refreshToken);
    if (index >= this.#revoked.length) {
      const grown = new Uint8Array(Math.max(1024, index * 2));
      grown.set(this.#revoked);
      this.#revoked = grown;
    }
    this.#revoked[index] = 1;
    this.#revocations++;
  }

  dcOf(accountsServer: string): string {
    return this.#dcOf.get(accountsServer)?.dc ?? 'custom';
  }

  apiDomainOf(accountsServer: string): string {
    return this.#dcOf.get(accountsServer)?.apiDomain ?? accountsServer;
  }

  /**
   * Zoho's 10-per-10-minutes rule: records the request, true when it is over the limit. A ring of
   * the last LIMIT request times per refresh token: the request is over the limit when the one LIMIT
   * requests back is still inside the window.
   */
  overLimit(refreshToken: string, now: EpochMillis): boolean {
    const ring = this.#ringOf(refreshToken);
    const slot = ring * ZOHO_TOKEN_REQUEST_LIMIT + (this.#next[ring] ?? 0);
    const oldest = this.#times[slot] ?? Number.NEGATIVE_INFINITY;
    this.#times[slot] = now;
    this.#next[ring] = ((this.#next[ring] ?? 0) + 1) % ZOHO_TOKEN_REQUEST_LIMIT;
    return oldest > now - ZOHO_TOKEN_WINDOW_MS;
  }

  /** The ring of a refresh token, grown to hold it. */
  #ringOf(refreshToken: string): number {
    const ring = fleetIndexOf(refreshToken);
    if (ring >= this.#next.length) {
      const next = new Uint8Array(Math.max(1024, ring * 2));
      next.set(this.#next);
      this.#next = next;
      const times = new Float64Array(next.length * ZOHO_TOKEN_REQUEST_LIMIT).fill(Number.NEGATIVE_INFINITY);
      times.set(this.#times);
      this.#times = times;
    }
    return ring;
  }

  isRevoked(refreshToken: string): boolean {
    return this.#revocations > 0 && this.#revoked[fleetIndexOf(refreshToken)] === 1;
  }
}

/** ZohoAccounts of one invocation: the answer comes after its simulated time. */
export class SimZoho implements ZohoAccounts {
  constructor(
    private readonly env: SimEnvironment,
    private readonly context: CallContext,
    private readonly cloud: ZohoCloud,
  ) {}

  async refreshAccessToken(
    request: ZohoTokenRequest & { readonly refreshToken: string },
  ): Promise<TokenGrant> {
    const { time, random } = this.env;
    const { model } = this.cloud;
    const sent = time.now();
    const dc = this.cloud.dcOf(request.accountsServer);
    const cpuMs = model.cpuMsPerCall / this.context.vcpu;
    const outage = model.outage;
    if (outage && outage.dc === dc && sent >= outage.from && sent < outage.until) {
      this.cloud.outageFailures++;
      await this.#wait(
        (outage.kind === 'unreachable' ? model.timeoutMs : random.logNormal(model.medianMs, model.sigma)) +
          cpuMs,
      );
      throw new ZohoTransientError(outage.kind === 'unreachable' ? 'timeout' : 'HTTP 503');
    }
    this.cloud.calls++;
    const answerMs = random.chance(model.tailShare)
      ? random.pareto(model.tailScaleMs, model.tailAlpha)
      : random.logNormal(model.medianMs, model.sigma);
    if (answerMs >= model.timeoutMs) {
      this.cloud.timeouts++;
      await this.#wait(model.timeoutMs + cpuMs);
      throw new ZohoTransientError('timeout');
    }
    const overLimit = this.cloud.overLimit(request.refreshToken, sent);
    const faulted = random.chance(model.faultRate);
    await this.#wait(answerMs + cpuMs);
    if (overLimit) {
      this.cloud.throttled++;
      throw new ZohoThrottledError('too many requests (simulated Zoho limit)');
    }
    if (this.cloud.isRevoked(request.refreshToken)) {
      this.cloud.rejectedRevoked++;
      throw new ReauthorizationRequiredError('invalid_code');
    }
    if (faulted) {
      this.cloud.faults++;
      throw new ZohoTransientError('HTTP 500');
    }
    this.cloud.grants++;
    return {
      accessToken: `1000.sim-at-${this.cloud.grants}`,
      expiresInSeconds: model.tokenLifetimeSeconds,
      apiDomain: this.cloud.apiDomainOf(request.accountsServer),
      tokenType: 'Bearer',
    };
  }

  async exchangeGrantCode(): Promise<CodeExchangeGrant> {
    throw new Error('exchangeGrantCode: the fleet simulation onboards nobody');
  }

  async revokeRefreshToken(): Promise<void> {
    throw new Error('revokeRefreshToken: the fleet simulation revokes nothing');
  }

  async #wait(ms: number): Promise<void> {
    await this.env.time.delay(ms);
    if (!this.context.alive) await never();
  }
}

/** The index of the fleet connection a refresh token belongs to (`…<connection id>`, see fleet-world.ts). */
function fleetIndexOf(refreshToken: string): number {
  const index = seededIndex(refreshToken.slice(-8));
  if (index < 0) throw new Error('sim-zoho: a refresh token of no fleet connection');
  return index;
}
