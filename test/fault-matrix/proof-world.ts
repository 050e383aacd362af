/**
 * The world of the fault matrix and the model-based properties: the in-memory fakes of the unit
 * tests, each port wrapped for fault injection and watched by a ledger. The Zoho port is the scripted
 * fake unless a real adapter (against the Zoho simulator) is passed in.
 */
import type { Connection } from '../../functions/core/connection';
import type { ZohoAccounts } from '../../functions/core/ports';
import type { RefreshDependencies } from '../../functions/core/refresh-deps';
import type { RefreshPolicy } from '../../functions/core/refresh-policy';
import { addConnection, createFakeWorld, type FakeWorld } from '../support/fakes';
import { FaultPlan, instrument } from './faults';
import { type Cause, Ledger } from './ledger';

/** A connection's refresh token, as registered: what must never be lost. */
export interface RegisteredRefreshToken {
  readonly plaintext: string;
  readonly ciphertext: string;
}

export interface ProofWorld {
  /** The raw fakes: arrange and read state here (nothing done through them is recorded). */
  readonly fakes: FakeWorld;
  readonly faults: FaultPlan;
  readonly ledger: Ledger;
  readonly refreshTokens: ReadonlyMap<string, RegisteredRefreshToken>;
  /** The ports as the code under test sees them; what they do is recorded as caused by `cause`. */
  deps(cause: Cause): RefreshDependencies;
  /**
   * Registers an active connection with `refreshToken` (default a marked test token) and, when it has
   * a version, the secret of that version, as the refresh that made it would have left it.
   */
  addConnection(
    overrides: Partial<Connection> & { connectionId: string },
    refreshToken?: string,
  ): Promise<Connection>;
}

export interface ProofWorldOptions {
  /** The Zoho port; @default the scripted FakeZoho of the fakes */
  readonly zoho?: ZohoAccounts;
  readonly policy?: Partial<RefreshPolicy>;
}

export function createProofWorld(options: ProofWorldOptions = {}): ProofWorld {
  const fakes = createFakeWorld(options.policy);
  const faults = new FaultPlan();
  const ledger = new Ledger(fakes.clock.now);
  const refreshTokens = new Map<string, RegisteredRefreshToken>();
  const zoho = options.zoho ?? fakes.zoho;
  const byCause = new Map<Cause, RefreshDependencies>();

  const deps = (cause: Cause): RefreshDependencies => {
    const existing = byCause.get(cause);
    if (existing) return existing;
    const observer = ledger.observer(cause);
    const created: RefreshDependencies = {
      ...fakes,
      store: instrument('store', fakes.store, faults, observer),
      vault: instrument('vault', fakes.vault, faults, observer),
      cipher: instrument('cipher', fakes.cipher, faults, observer),
      credentials: instrument('credentials', fakes.credentials, faults, observer),
      events: instrument('events', fakes.events, faults, observer),
      zoho: instrument('zoho', zoho, faults, observer),
    };
    byCause.set(cause, created);
    return created;
  };

  return {
    fakes,
    faults,
    ledger,
    refreshTokens,
    deps,
    async addConnection(overrides, refreshToken = `1000.test-rt-${overrides.connectionId}`) {
      const { connectionId } = overrides;
      const ciphertext = await fakes.cipher.encrypt(connectionId, refreshToken);
      const connection = await addConnection(fakes, { encryptedRefreshToken: ciphertext, ...overrides });
      refreshTokens.set(connectionId, { plaintext: refreshToken, ciphertext });
      ledger.connectionOfRefreshToken.set(refreshToken, connectionId);
      if (connection.version > 0) {
        fakes.vault.versions.set(connectionId, [
          {
            connectionId,
            version: connection.version,
            accessToken: `1000.test-at-seed-${connectionId}-${connection.version}`,
            apiDomain: connection.apiDomain,
            tokenType: 'Bearer',
            expiresAt: connection.expiresAt,
          },
        ]);
      }
      return connection;
    },
  };
}
