/**
 * The invariants every fault and every interleaving must keep, judged on the world's state and on
 * the ledger of what reached the outside: versions only grow; every stored secret is a contract
 * token; the refresh token is never lost; no secret in a log, an event, a history entry or an
 * answer; Zoho calls and secret versions within their budgets; nothing written after a revoke.
 */
import { fromSecretValue, type StoredAccessToken, toSecretValue } from '../../functions/core/token';
import { findSecretLeaks } from '../support/secret-markers';
import { maxInWindow } from './ledger';
import type { ProofWorld } from './proof-world';

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Checks the invariants at one moment. Stateful: it remembers the highest versions it has seen, so
 * a version that goes back between two checks is caught too.
 */
export class InvariantChecker {
  private readonly highest = new Map<string, { connection: number; secret: number }>();

  constructor(private readonly world: ProofWorld) {}

  /** Every broken invariant, one line each (empty when all hold). `answers` are what callers got. */
  check(answers: readonly unknown[] = []): string[] {
    return [
      ...this.versionsOnlyGrow(),
      ...this.secretsAreTokens(),
      ...this.refreshTokensKept(),
      ...this.noSecretInOutput(answers),
      ...this.zohoWithinBudget(),
      ...this.writesWithinBudget(),
      ...this.nothingAfterRevoke(),
    ];
  }

  private revoked(connectionId: string): boolean {
    return this.world.ledger.revokes.some((entry) => entry.connectionId === connectionId);
  }

  private versionsOnlyGrow(): string[] {
    const { store, vault } = this.world.fakes;
    const broken: string[] = [];
    for (const connection of store.items.values()) {
      const id = connection.connectionId;
      const secret = vault.versions.get(id)?.at(-1)?.version;
      const seen = this.highest.get(id) ?? { connection: 0, secret: 0 };
      if (connection.version < seen.connection)
        broken.push(`${id}: connection went back from v${seen.connection} to v${connection.version}`);
      if (secret === undefined && seen.secret > 0 && !this.revoked(id))
        broken.push(`${id}: the secret of v${seen.secret} disappeared without a revoke`);
      if (secret !== undefined && secret < seen.secret)
        broken.push(`${id}: the secret went back from v${seen.secret} to v${secret}`);
      if (secret !== undefined && secret < connection.version)
        broken.push(`${id}: the secret (v${secret}) is behind the connection (v${connection.version})`);
      this.highest.set(id, {
        connection: Math.max(seen.connection, connection.version),
        secret: Math.max(seen.secret, secret ?? 0),
      });
      const written = this.world.ledger.versionsOf(id).map((entry) => entry.version);
      if (written.some((version, i) => i > 0 && version <= (written[i - 1] ?? 0)))
        broken.push(`${id}: versions written out of order (${written.join(', ')})`);
    }
    return broken;
  }

  private secretsAreTokens(): string[] {
    const broken: string[] = [];
    for (const [id, tokens] of this.world.fakes.vault.versions) {
      for (const token of tokens) {
        if (!isContractToken(token, id)) broken.push(`${id}: v${token.version} is not a contract token`);
      }
    }
    return broken;
  }

  private refreshTokensKept(): string[] {
    const broken: string[] = [];
    for (const [id, registered] of this.world.refreshTokens) {
      const stored = this.world.fakes.store.items.get(id)?.encryptedRefreshToken;
      const expected = this.revoked(id) ? '' : registered.ciphertext;
      if (stored !== expected) broken.push(`${id}: the refresh token's ciphertext changed`);
    }
    return broken;
  }

  private noSecretInOutput(answers: readonly unknown[]): string[] {
    const { log, events, store, metrics } = this.world.fakes;
    const texts = [
      ...log.lines,
      ...events.published,
      ...store.history,
      ...[...store.items.values()].map((connection) => connection.lastError ?? null),
      ...metrics.points.map((point) => point.reason ?? ''),
      ...answers,
    ].map((value) => JSON.stringify(value) ?? '');
    const secrets = [
      ...[...this.world.refreshTokens.values()].map((token) => token.plaintext),
      ...[...this.world.fakes.vault.versions.values()].flat().map((token) => token.accessToken),
    ];
    const leaks = findSecretLeaks(texts).length;
    const exact = texts.filter((text) => secrets.some((secret) => text.includes(secret))).length;
    return leaks + exact === 0
      ? []
      : [`${leaks + exact} log, event, history or answer text(s) hold a secret`];
  }

  private zohoWithinBudget(): string[] {
    const { policy, store } = this.world.fakes;
    return [...store.items.keys()].flatMap((id) => {
      const times = this.world.ledger.zohoCallsOf(id).map((entry) => entry.at);
      const most = maxInWindow(times, policy.budgetWindowMs);
      return most > policy.budget
        ? [`${id}: ${most} Zoho calls in one window (budget ${policy.budget})`]
        : [];
    });
  }

  /**
   * Versions per rolling hour and day, as the write budget allows them, every version included: one a
   * crashed run wrote and nobody adopted (see `Ledger.orphansOf`) counts from when a run finds it.
   */
  private writesWithinBudget(): string[] {
    const { policy, store } = this.world.fakes;
    return [...store.items.keys()].flatMap((id) => {
      const versions = this.world.ledger.versionsOf(id);
      const all = versions.map((entry) => entry.at);
      const unscheduled = versions
        .filter((entry) => entry.cause === 'on_demand' || entry.cause === 'operator')
        .map((entry) => entry.at);
      const limits = [
        { what: 'versions a day', most: maxInWindow(all, DAY_MS), limit: policy.secretWritesPerDay },
        {
          what: 'report/operator versions an hour',
          most: maxInWindow(unscheduled, HOUR_MS),
          limit: policy.unscheduledWritesPerHour,
        },
        {
          what: 'report/operator versions a day',
          most: maxInWindow(unscheduled, DAY_MS),
          limit: policy.unscheduledWritesPerDay,
        },
      ];
      return limits
        .filter(({ most, limit }) => most > limit)
        .map(({ what, most, limit }) => `${id}: ${most} ${what} (budget ${limit})`);
    });
  }

  private nothingAfterRevoke(): string[] {
    const { ledger } = this.world;
    return ledger.revokes.flatMap((revoke) => {
      const id = revoke.connectionId;
      const after = (entries: readonly { connectionId: string; seq: number }[]) =>
        entries.filter((entry) => entry.connectionId === id && entry.seq > revoke.seq).length;
      const writes = after(ledger.versions);
      const calls = after(ledger.zohoCalls);
      return writes + calls === 0
        ? []
        : [`${id}: ${writes} secret write(s) and ${calls} Zoho call(s) after its revoke`];
    });
  }
}

/**
 * True when `token` survives the contract's JSON both ways unchanged and is usable: a bearer string
 * without whitespace, an http(s) API origin, a positive version and a real expiry.
 */
export function isContractToken(token: StoredAccessToken, connectionId: string): boolean {
  let parsed: StoredAccessToken | undefined;
  try {
    parsed = fromSecretValue(JSON.parse(JSON.stringify(toSecretValue(token))));
  } catch {
    return false;
  }
  return (
    parsed !== undefined &&
    parsed.connectionId === connectionId &&
    parsed.version === token.version &&
    parsed.accessToken === token.accessToken &&
    parsed.apiDomain === token.apiDomain &&
    parsed.tokenType === token.tokenType &&
    parsed.expiresAt === token.expiresAt &&
    token.version >= 1 &&
    /^\S+$/.test(token.accessToken) &&
    /^https?:\/\/[^/\s]+$/.test(token.apiDomain) &&
    token.expiresAt > 0
  );
}
