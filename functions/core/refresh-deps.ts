import type { IssuedLink } from './connect-link';
import type { Connection } from './connection';
import type {
  ClientCredentialsProvider,
  Clock,
  ConnectionStore,
  EventPublisher,
  Log,
  Metrics,
  RefreshTokenCipher,
  TokenVault,
  ZohoAccounts,
} from './ports';
import type { RefreshPolicy } from './refresh-policy';
import type { WritePacer } from './write-pacer';

/** Everything the refresh use case needs, passed in: the domain imports no adapter. */
export interface RefreshDependencies {
  readonly store: ConnectionStore;
  readonly vault: TokenVault;
  readonly cipher: RefreshTokenCipher;
  readonly credentials: ClientCredentialsProvider;
  readonly zoho: ZohoAccounts;
  readonly events: EventPublisher;
  readonly metrics: Metrics;
  readonly log: Log;
  readonly clock: Clock;
  readonly policy: RefreshPolicy;
  /** A unique lease owner per attempt (e.g. request id + random). */
  readonly newLeaseOwner: () => string;
  /**
   * Spaces this process's secret writes (the refresh workers' share of the region's write quota);
   * every write attempt waits for a slot. @default none: writes go at once
   */
  readonly writePacer?: WritePacer;
  /**
   * Makes a re-authorisation link for a connection Zoho stopped honouring, carried by its
   * `Zoho Reauthorization Required` event. @default none: the connect endpoint is not deployed
   */
  readonly reauthorizationLinks?: ReauthorizationLinks;
}

/** Fresh re-authorisation links (connect-link.ts), one per connection that needs one. */
export interface ReauthorizationLinks {
  create(connection: Connection): Promise<IssuedLink>;
}

/** History and events inform; they must never undo a refresh, nor mask the error being recorded. */
export async function bestEffort(
  deps: RefreshDependencies,
  what: string,
  action: () => Promise<void>,
): Promise<void> {
  try {
    await action();
  } catch (error) {
    deps.log.warn(`Could not record ${what}`, {
      errorName: error instanceof Error ? error.name : typeof error,
    });
  }
}
