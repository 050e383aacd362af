/** What the simulator has been asked, for tests that assert exact numbers of Zoho calls. */
export interface ZohoSimulatorCalls {
  /** Every request to the token endpoint, faulted ones included. */
  readonly token: number;
  /** Token requests per `grant_type` value (`(none)` when it was missing). */
  readonly tokenByGrantType: Readonly<Record<string, number>>;
  /** Token requests per data centre of the accounts server called. */
  readonly tokenByDc: Readonly<Record<string, number>>;
  /** Token requests that carried this `refresh_token`, whatever their outcome. */
  tokenCallsFor(refreshToken: string): number;
  readonly revoke: number;
  readonly books: number;
  /** Books responses with HTTP 401, injected ones included. */
  readonly books401: number;
}

/** Mutable counters behind the read-only `ZohoSimulatorCalls` view. */
export class SimCounters implements ZohoSimulatorCalls {
  token = 0;
  tokenByGrantType: Record<string, number> = {};
  tokenByDc: Record<string, number> = {};
  revoke = 0;
  books = 0;
  books401 = 0;
  private byRefreshToken = new Map<string, number>();

  recordToken(dc: string, grantType: string | undefined, refreshToken: string | undefined): void {
    this.token += 1;
    const grant = grantType ?? '(none)';
    this.tokenByGrantType[grant] = (this.tokenByGrantType[grant] ?? 0) + 1;
    this.tokenByDc[dc] = (this.tokenByDc[dc] ?? 0) + 1;
    if (refreshToken !== undefined) {
      this.byRefreshToken.set(refreshToken, this.tokenCallsFor(refreshToken) + 1);
    }
  }

  tokenCallsFor(refreshToken: string): number {
    return this.byRefreshToken.get(refreshToken) ?? 0;
  }

  reset(): void {
    this.token = 0;
    this.tokenByGrantType = {};
    this.tokenByDc = {};
    this.revoke = 0;
    this.books = 0;
    this.books401 = 0;
    this.byRefreshToken = new Map();
  }
}
