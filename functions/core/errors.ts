/**
 * Typed errors of the domain. Callers classify with `instanceof`, never by message text.
 * Messages never contain a token, a refresh token or a client secret.
 */
export class ZohoTokenRefresherError extends Error {
  /** A stable, machine-readable code, also used as the metric dimension `reason`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Zoho rejected the refresh token itself (revoked, deleted, evicted by the 21st token):
 * nothing but a new authorisation can fix it. Never retried.
 */
export class ReauthorizationRequiredError extends ZohoTokenRefresherError {
  constructor(zohoError: string, options?: { cause?: unknown }) {
    super(
      'reauthorization_required',
      `Zoho rejected the refresh token (${zohoError}); the user must authorise the connection again`,
      options,
    );
  }
}

/**
 * The setup of this one connection is wrong in a way retrying cannot fix (Zoho refused its client
 * app in its data centre, its accounts server is not allowed, its refresh token is bound to another
 * connection or key): the connection leaves the schedule as `misconfigured` and an operator must act.
 * Faults of what many connections share — the refresh-token key, a client app's secret — are not
 * of this kind (see ClientCredentialsNotFoundError): one of them must not take the fleet off the
 * schedule in one sweep.
 */
export class MisconfigurationError extends ZohoTokenRefresherError {}

/**
 * The client app is wrong for this accounts server: wrong client id or secret, client not enabled in
 * that data centre, or a token sent to the wrong data centre. Never retried.
 */
export class MisconfiguredClientError extends MisconfigurationError {
  readonly zohoError: string;

  constructor(zohoError: string, hint: string, options?: { cause?: unknown }) {
    super('misconfigured_client', `Zoho rejected the client app (${zohoError}): ${hint}`, options);
    this.zohoError = zohoError;
  }
}

/** Zoho throttled token creation for this refresh token; wait out the 10-minute window. */
export class ZohoThrottledError extends ZohoTokenRefresherError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('throttled', `Zoho throttled token creation: ${detail}`, options);
  }
}

/** Anything Zoho answered that may succeed later: 5xx, HTML, timeouts, resets, unparseable bodies. */
export class ZohoTransientError extends ZohoTokenRefresherError {
  constructor(detail: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'transient', `Zoho call failed transiently: ${detail}`, options);
  }
}

/**
 * Zoho answered 200 with a body we cannot trust (no expiry, expiry out of bounds, a token or API
 * domain outside the limits). Not retried inside the lease: a body that was wrong once is likely
 * wrong again, so it costs at most one Zoho call per budget window and raises an alarm.
 */
export class ZohoMalformedResponseError extends ZohoTransientError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`malformed response: ${detail}`, { ...options, code: 'malformed_response' });
  }
}

/** Our own budget (9 token requests per 10 minutes) is spent; Zoho was not called. */
export class RefreshBudgetExhaustedError extends ZohoTokenRefresherError {
  readonly retryAt: number;

  constructor(retryAt: number) {
    super(
      'budget_exhausted',
      `Zoho token budget for this connection is spent; next refresh possible at ${new Date(retryAt).toISOString()}`,
    );
    this.retryAt = retryAt;
  }
}

/**
 * The secret's write budget (versions per hour / per day) is spent: no token is minted that could
 * not be stored. The current token stays; the refresh waits until `retryAt`.
 */
export class SecretWriteBudgetExhaustedError extends ZohoTokenRefresherError {
  readonly retryAt: number;

  constructor(retryAt: number) {
    super(
      'secret_write_budget',
      `The access-token secret's write budget is spent (versions per hour or per day); next write possible at ${new Date(retryAt).toISOString()}`,
    );
    this.retryAt = retryAt;
  }
}

export class ConnectionNotFoundError extends ZohoTokenRefresherError {
  constructor(connectionId: string) {
    super('connection_not_found', `No connection '${connectionId}' is registered`);
  }
}

export class ConnectionAlreadyExistsError extends ZohoTokenRefresherError {
  constructor(connectionId: string) {
    super('connection_exists', `A connection '${connectionId}' is already registered`);
  }
}

/** Input that breaks a contract: an event, an id, a CLI argument. Never retried. */
export class InvalidInputError extends ZohoTokenRefresherError {
  /** `code` names a kind of invalid input that has a subclass of its own. */
  constructor(message: string, code = 'invalid_input') {
    super(code, message);
  }
}

/**
 * A consumer's report whose detail names another connection than its source: IAM binds a
 * consumer's grant to the source only, so the detail is what a forger controls. Refused, never
 * refreshed, never retried.
 */
export class ForgedReportError extends InvalidInputError {
  /** The connection the source (and so the publisher's grant) names. */
  readonly sourceConnectionId: string;
  /** The other connection the detail names. */
  readonly detailConnectionId: string;

  constructor(sourceConnectionId: string, detailConnectionId: string) {
    super(
      `report under the source of connection '${sourceConnectionId}' names connection '${detailConnectionId}' in its detail: refused as forged`,
      'forged_report',
    );
    this.sourceConnectionId = sourceConnectionId;
    this.detailConnectionId = detailConnectionId;
  }
}

/** A required setting is missing or wrong; raised at cold start so the function fails loudly. */
export class ConfigurationError extends ZohoTokenRefresherError {
  constructor(message: string) {
    super('configuration', message);
  }
}

/**
 * The client app secret (client id + secret) is missing. Transient, not a misconfiguration: a client
 * app serves many connections, and a `clients put` under the wrong name or one not yet made must not
 * take them all off the schedule. The refresh is retried with the long backoff; after 3 failures in a
 * row the ConnectionsFailing alarm fires.
 */
export class ClientCredentialsNotFoundError extends ZohoTokenRefresherError {
  constructor(clientRef: string) {
    super(
      'client_credentials_not_found',
      `No client app '${clientRef}' is stored (run 'zoho-tokens clients put')`,
    );
  }
}

/** The token vault claims a version exists that it cannot show; retried like a transient error. */
export class TokenVaultConflictError extends ZohoTokenRefresherError {
  constructor(connectionId: string) {
    super(
      'vault_conflict',
      `The access-token secret of '${connectionId}' reports a version conflict it cannot resolve`,
    );
  }
}

/**
 * Zoho refused to revoke the refresh token (HTTP 400 or an error body): it is already invalid,
 * revoked or unknown. Callers may treat the connection as revoked.
 */
export class RefreshTokenAlreadyInvalidError extends ZohoTokenRefresherError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      'refresh_token_invalid',
      `Zoho refused to revoke the refresh token (${detail}); it is already invalid or revoked`,
      options,
    );
  }
}

/**
 * A refresh token would go to a host outside Zoho's data centres that nobody allowed: refused before
 * anything is sent, so a host written into the table cannot harvest refresh tokens.
 */
export class AccountsServerNotAllowedError extends MisconfigurationError {
  constructor(describedHost: string) {
    super(
      'accounts_server_not_allowed',
      `accounts server ${describedHost} is neither a Zoho data centre nor explicitly allowed (allowedAccountsServers, --allow-custom-accounts-server); nothing was sent`,
    );
  }
}

/**
 * The stored access-token secret is not of the contract's shape (edited by hand?). The refresh
 * treats it as absent and overwrites it with the next version.
 */
export class StoredTokenUnreadableError extends ZohoTokenRefresherError {}

/** The connection changed between an operator's read and write (another operator, a refresh): nothing was written. */
export class ConnectionChangedError extends ZohoTokenRefresherError {
  constructor(connectionId: string, expectedStatus: string) {
    super(
      'connection_changed',
      `Connection '${connectionId}' is no longer ${expectedStatus}; it changed meanwhile and nothing was written. Look again with 'zoho-tokens status'`,
    );
  }
}

/**
 * Secrets Manager failed or refused a write of an access-token secret. The adapter maps each AWS
 * error to one subclass; the refresh keeps the token it minted (see `pendingToken`) whatever the kind.
 */
export class TokenVaultWriteError extends ZohoTokenRefresherError {
  /** A retry a moment later, inside the same lease, may succeed (throttling, network, 5xx). */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(code, message, options);
    this.retryable = options.retryable;
  }
}

/** Secrets Manager throttled the write (region-wide limit of 50 writes a second, shared). */
export class SecretWriteThrottledError extends TokenVaultWriteError {
  constructor(connectionId: string, options?: { cause?: unknown }) {
    super('secret_throttled', `Secrets Manager throttled the write of '${connectionId}'s access token`, {
      ...options,
      retryable: true,
    });
  }
}

/** The secret holds as many versions as Secrets Manager allows; they age out after 24 hours. */
export class SecretVersionQuotaError extends TokenVaultWriteError {
  constructor(connectionId: string, options?: { cause?: unknown }) {
    super(
      'secret_version_quota',
      `The access-token secret of '${connectionId}' reached Secrets Manager's version quota; versions younger than 24 hours are kept`,
      { ...options, retryable: false },
    );
  }
}

/** The secret is scheduled for deletion: it cannot take a value until an operator restores it. */
export class SecretPendingDeletionError extends TokenVaultWriteError {
  constructor(connectionId: string, options?: { cause?: unknown }) {
    super(
      'secret_pending_deletion',
      `The access-token secret of '${connectionId}' is scheduled for deletion; restore it (aws secretsmanager restore-secret) or revoke the connection`,
      { ...options, retryable: false },
    );
  }
}

/** The refresher's role may not write the secret (or use its KMS key). */
export class SecretAccessDeniedError extends TokenVaultWriteError {
  constructor(connectionId: string, options?: { cause?: unknown }) {
    super(
      'secret_access_denied',
      `The refresher may not write the access-token secret of '${connectionId}' (access denied by IAM or by the secret's KMS key)`,
      { ...options, retryable: false },
    );
  }
}

/** Any other failed write (network, timeout, 5xx): worth another try. */
export class SecretWriteFailedError extends TokenVaultWriteError {
  constructor(connectionId: string, awsErrorName: string, options?: { cause?: unknown }) {
    super(
      'secret_write_failed',
      `Writing the access-token secret of '${connectionId}' failed (${awsErrorName})`,
      { ...options, retryable: true },
    );
  }
}

/**
 * Some refresh orders could not be handed to the refresh queue (after the adapter's own retry). They
 * stay due in the table, so the planner's catch-up queues them again; the run reports the count.
 */
export class OrdersNotQueuedError extends ZohoTokenRefresherError {
  /** How many orders were not queued. */
  readonly count: number;

  constructor(count: number, options?: { cause?: unknown }) {
    super('orders_not_queued', `${count} refresh order(s) could not be queued`, options);
    this.count = count;
  }
}

/**
 * Zoho refused the grant code (`invalid_code`): it expired or was already used. Generating a new
 * code is the only fix; retrying the same one cannot help.
 */
export class GrantCodeRejectedError extends ZohoTokenRefresherError {
  readonly zohoError: string;

  constructor(zohoError: string, options?: { cause?: unknown }) {
    super(
      'grant_code_rejected',
      `Zoho rejected the grant code (${zohoError}): it expired or was already used. A code works once; a Self Client's lives 3 minutes by default, a server-based client's redirect code 60 seconds: get a new one and exchange it at once`,
      options,
    );
    this.zohoError = zohoError;
  }
}
