import { randomBytes } from 'node:crypto';
import { assertSimDc, type SimDc } from './dcs';

/** The limits and clock the simulated Zoho enforces (see `ZohoSimulatorOptions`). */
export interface SimSettings {
  readonly accessTokenLifetimeSeconds: number;
  readonly throttleLimit: number;
  readonly throttleWindowMs: number;
  readonly maxActiveAccessTokens: number;
  readonly grantCodeLifetimeMs: number;
  readonly redirectGrantCodeLifetimeMs: number;
  readonly now: () => number;
}

export interface ClientRegistration {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Data centres the client is enabled in; every other DC answers `invalid_client`. */
  readonly dcs: readonly string[];
  /** Zoho lets a client's secret differ per DC (ZOHO.md §4). */
  readonly secretsByDc?: Readonly<Record<string, string>>;
}

export interface IssueRequest {
  readonly clientId: string;
  readonly dc: string;
  readonly scope?: string;
}

export interface GrantCodeIssueRequest extends IssueRequest {
  /**
   * Makes the code one of a server-based client's redirect flow, sent to this URI: it lives
   * `redirectGrantCodeLifetimeMs` and is exchanged only with exactly this `redirect_uri`. Without
   * it, the code is a Self Client's (`grantCodeLifetimeMs`, no redirect URI).
   */
  readonly redirectUri?: string;
}

export interface RefreshTokenRecord {
  readonly clientId: string;
  readonly dc: SimDc;
  readonly scope: string;
  /** Access tokens minted from this refresh token that are not evicted, oldest first. */
  accessTokens: string[];
  /** Times of the token requests the throttle counted in its sliding window. */
  recentRequests: number[];
}

export interface GrantCodeRecord {
  readonly clientId: string;
  readonly dc: SimDc;
  readonly scope: string;
  readonly expiresAt: number;
  readonly redirectUri?: string;
}

interface AccessTokenRecord {
  readonly refreshToken: string;
  readonly dc: SimDc;
  expiresAt: number;
}

const DEFAULT_SCOPE = 'ZohoBooks.fullaccess.all';

/** Everything the simulated Zoho remembers: clients, refresh tokens, grant codes and access tokens. */
export class SimState {
  private readonly clients = new Map<string, ClientRegistration>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private readonly grantCodes = new Map<string, GrantCodeRecord>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();

  constructor(readonly settings: SimSettings) {}

  registerClient(registration: ClientRegistration): void {
    registration.dcs.forEach(assertSimDc);
    this.clients.set(registration.clientId, registration);
  }

  /** The secret the client has in `dc`, or undefined when the client is unknown or not enabled there. */
  clientSecretIn(clientId: string, dc: SimDc): string | undefined {
    const client = this.clients.get(clientId);
    if (client === undefined || !client.dcs.includes(dc)) return undefined;
    return client.secretsByDc?.[dc] ?? client.clientSecret;
  }

  issueRefreshToken(request: IssueRequest): string {
    return this.createRefreshToken(this.checkIssue(request)).token;
  }

  /** Stores a new refresh token for a grant already checked (an exchanged code). */
  createRefreshToken(grant: Omit<GrantCodeRecord, 'expiresAt' | 'redirectUri'>): {
    token: string;
    record: RefreshTokenRecord;
  } {
    const token = `1000.sim-rt-${randomHex()}`;
    const { clientId, dc, scope } = grant;
    const record: RefreshTokenRecord = { clientId, dc, scope, accessTokens: [], recentRequests: [] };
    this.refreshTokens.set(token, record);
    return { token, record };
  }

  issueGrantCode(request: GrantCodeIssueRequest): string {
    const { clientId, dc, scope } = this.checkIssue(request);
    const { redirectUri } = request;
    const code = `1000.sim-gc-${randomHex()}`;
    const lifetimeMs =
      redirectUri === undefined
        ? this.settings.grantCodeLifetimeMs
        : this.settings.redirectGrantCodeLifetimeMs;
    const expiresAt = this.settings.now() + lifetimeMs;
    this.grantCodes.set(code, {
      clientId,
      dc,
      scope,
      expiresAt,
      ...(redirectUri === undefined ? {} : { redirectUri }),
    });
    return code;
  }

  refreshToken(token: string): RefreshTokenRecord | undefined {
    return this.refreshTokens.get(token);
  }

  /** A grant code that is still unused and unexpired. */
  grantCode(code: string): GrantCodeRecord | undefined {
    const record = this.grantCodes.get(code);
    if (record !== undefined && this.settings.now() >= record.expiresAt) {
      this.grantCodes.delete(code);
      return undefined;
    }
    return record;
  }

  /** Codes are single use: a successful exchange deletes the code. */
  consumeGrantCode(code: string): void {
    this.grantCodes.delete(code);
  }

  /** Revoking a refresh token kills every access token made from it (ZOHO.md §5). */
  revokeRefreshToken(token: string): boolean {
    const record = this.refreshTokens.get(token);
    if (record === undefined) return false;
    for (const accessToken of record.accessTokens) this.accessTokens.delete(accessToken);
    this.refreshTokens.delete(token);
    return true;
  }

  /** Makes the access tokens of one refresh token (or of all) expire now, so consumers meet a 401. */
  expireAccessTokens(refreshToken?: string): void {
    const now = this.settings.now();
    for (const record of this.accessTokens.values()) {
      if (refreshToken === undefined || record.refreshToken === refreshToken) record.expiresAt = now;
    }
  }

  /**
   * Counts one token request against the refresh token's sliding window and says whether it may
   * proceed. Refused requests are not counted, so the block lasts exactly until the oldest counted
   * request leaves the window ("blocked for the rest of the window", ZOHO.md §3).
   */
  admitTokenRequest(record: RefreshTokenRecord): boolean {
    const now = this.settings.now();
    record.recentRequests = record.recentRequests.filter((at) => at > now - this.settings.throttleWindowMs);
    if (record.recentRequests.length >= this.settings.throttleLimit) return false;
    record.recentRequests.push(now);
    return true;
  }

  /** Mints an access token; past `maxActiveAccessTokens` live ones, the oldest dies silently (ZOHO.md §3). */
  mintAccessToken(refreshToken: string, record: RefreshTokenRecord): string {
    const accessToken = `1000.sim-at-${randomHex()}`;
    const expiresAt = this.settings.now() + this.settings.accessTokenLifetimeSeconds * 1000;
    this.accessTokens.set(accessToken, { refreshToken, dc: record.dc, expiresAt });
    record.accessTokens = record.accessTokens.filter((token) => this.isAlive(token));
    record.accessTokens.push(accessToken);
    while (record.accessTokens.length > this.settings.maxActiveAccessTokens) {
      const oldest = record.accessTokens.shift();
      if (oldest !== undefined) this.accessTokens.delete(oldest);
    }
    return accessToken;
  }

  /** True when the access token exists, is neither evicted, revoked nor expired, and belongs to `dc`. */
  isAccessTokenValidIn(accessToken: string, dc: SimDc): boolean {
    return this.isAlive(accessToken) && this.accessTokens.get(accessToken)?.dc === dc;
  }

  clear(): void {
    this.clients.clear();
    this.refreshTokens.clear();
    this.grantCodes.clear();
    this.accessTokens.clear();
  }

  private isAlive(accessToken: string): boolean {
    const record = this.accessTokens.get(accessToken);
    return record !== undefined && this.settings.now() < record.expiresAt;
  }

  private checkIssue(request: IssueRequest): Omit<GrantCodeRecord, 'expiresAt' | 'redirectUri'> {
    const dc = assertSimDc(request.dc);
    if (this.clientSecretIn(request.clientId, dc) === undefined) {
      throw new Error(`client ${request.clientId} is not registered in data centre ${dc}`);
    }
    return { clientId: request.clientId, dc, scope: request.scope ?? DEFAULT_SCOPE };
  }
}

function randomHex(): string {
  return randomBytes(16).toString('hex');
}
