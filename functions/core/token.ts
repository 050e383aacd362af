import type { EpochMillis } from './connection';

/** What Zoho's token endpoint granted, already parsed and validated. */
export interface TokenGrant {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
  /** Absent in some responses: keep the stored one. */
  readonly apiDomain?: string;
  readonly tokenType: string;
  readonly scope?: string;
}

/** What an authorization-code exchange grants: a token plus the long-lived refresh token. */
export interface CodeExchangeGrant extends TokenGrant {
  readonly refreshToken: string;
}

/**
 * The access token as stored for consumers (the secret's value is its JSON form, a contract):
 * `{"access_token","api_domain","token_type","expires_at","version","connection_id"}`.
 */
export interface StoredAccessToken {
  readonly connectionId: string;
  readonly version: number;
  readonly accessToken: string;
  readonly apiDomain: string;
  readonly tokenType: string;
  readonly expiresAt: EpochMillis;
}

/** The secret value of the contract, byte for byte what consumers parse. */
export interface AccessTokenSecretValue {
  access_token: string;
  api_domain: string;
  token_type: string;
  expires_at: string;
  version: number;
  connection_id: string;
}

export function toSecretValue(token: StoredAccessToken): AccessTokenSecretValue {
  return {
    access_token: token.accessToken,
    api_domain: token.apiDomain,
    token_type: token.tokenType,
    expires_at: new Date(token.expiresAt).toISOString(),
    version: token.version,
    connection_id: token.connectionId,
  };
}

/** Parses a secret value; returns undefined when it is not of the contract's shape. */
export function fromSecretValue(value: unknown): StoredAccessToken | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const expiresAt = typeof v.expires_at === 'string' ? Date.parse(v.expires_at) : Number.NaN;
  if (
    typeof v.access_token !== 'string' ||
    typeof v.api_domain !== 'string' ||
    typeof v.token_type !== 'string' ||
    typeof v.connection_id !== 'string' ||
    !Number.isSafeInteger(v.version) ||
    Number.isNaN(expiresAt)
  ) {
    return undefined;
  }
  return {
    accessToken: v.access_token,
    apiDomain: v.api_domain,
    tokenType: v.token_type,
    connectionId: v.connection_id,
    version: v.version as number,
    expiresAt,
  };
}
