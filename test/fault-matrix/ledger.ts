/**
 * What reached the outside world, in order: every Zoho token request, every secret version that was
 * created, every revoke. Invariants are judged on this, not on what the code believes it did.
 */
import type { EpochMillis } from '../../functions/core/connection';
import type { StoredAccessToken } from '../../functions/core/token';
import type { PortCall, PortObserver } from './faults';

/** Who caused a call: the trigger of the run, or the operator's revoke, or the test's own setup. */
export type Cause = 'scheduled' | 'on_demand' | 'operator' | 'revoke' | 'setup';

export interface LedgerEntry {
  readonly connectionId: string;
  readonly at: EpochMillis;
  /** Position among every entry of the ledger: orders events that share a clock reading. */
  readonly seq: number;
  readonly cause: Cause;
}

export interface VersionEntry extends LedgerEntry {
  readonly version: number;
}

export class Ledger {
  readonly zohoCalls: LedgerEntry[] = [];
  readonly versions: VersionEntry[] = [];
  /** Versions a refresh committed onto its connection (written by it, kept, or adopted). */
  readonly commits: VersionEntry[] = [];
  readonly revokes: LedgerEntry[] = [];
  private seq = 0;

  constructor(
    private readonly now: () => EpochMillis,
    /** Refresh token (plaintext) → connection, to attribute Zoho requests. */
    readonly connectionOfRefreshToken = new Map<string, string>(),
  ) {}

  /** An observer that records, as caused by `cause`, what the ports it watches do. */
  observer(cause: Cause): PortObserver {
    return {
      calling: (call) => this.calling(call, cause),
      returned: (call, result) => this.returned(call, result, cause),
    };
  }

  zohoCallsOf(connectionId: string): LedgerEntry[] {
    return this.zohoCalls.filter((entry) => entry.connectionId === connectionId);
  }

  versionsOf(connectionId: string): VersionEntry[] {
    return this.versions.filter((entry) => entry.connectionId === connectionId);
  }

  /**
   * Versions written but never committed, that a later commit passed over: a run wrote the secret
   * and died (or lost its lease, or its commit failed), and the next run did not adopt the version
   * because a consumer had reported exactly it. The core's write budget never counts these.
   */
  orphansOf(connectionId: string): VersionEntry[] {
    const committed = this.commits.filter((entry) => entry.connectionId === connectionId);
    const highest = Math.max(0, ...committed.map((entry) => entry.version));
    return this.versionsOf(connectionId).filter(
      (entry) => entry.version < highest && !committed.some((c) => c.version === entry.version),
    );
  }

  private entry(connectionId: string, cause: Cause): LedgerEntry {
    return { connectionId, at: this.now(), seq: ++this.seq, cause };
  }

  private calling(call: PortCall, cause: Cause): void {
    // Recorded as the request leaves: a request that then fails was still sent and still counts.
    if (call.port === 'zoho' && call.method === 'refreshAccessToken') {
      const { refreshToken } = call.args[0] as { refreshToken: string };
      const connectionId = this.connectionOfRefreshToken.get(refreshToken) ?? '(unknown refresh token)';
      this.zohoCalls.push(this.entry(connectionId, cause));
    }
  }

  private returned(call: PortCall, result: unknown, cause: Cause): void {
    if (call.port === 'vault' && call.method === 'write' && result === 'written') {
      const token = call.args[0] as StoredAccessToken;
      this.versions.push({ ...this.entry(token.connectionId, cause), version: token.version });
    }
    if (call.port === 'store' && call.method === 'commitRefresh' && result === true) {
      const { version } = call.args[2] as { version: number };
      this.commits.push({ ...this.entry(call.args[0] as string, cause), version });
    }
    if (call.port === 'store' && call.method === 'setStatus' && call.args[1] === 'revoked') {
      this.revokes.push(this.entry(call.args[0] as string, cause));
    }
  }
}

/** The most entries of `times` that fall in one window `(t - windowMs, t]`, over every `t`. */
export function maxInWindow(times: readonly EpochMillis[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    const end = sorted[last] ?? 0;
    while ((sorted[first] ?? end) <= end - windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
