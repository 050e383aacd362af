import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, it } from 'vitest';
import { TokenExpiredError } from '../../../functions/consumer/errors';
import { createTokenReader, type TokenReader } from '../../../functions/consumer/token-reader';
import { refreshConnection } from '../../../functions/core/refresh-connection';
import { useEngineWorld } from '../engine/world';
import { CommandLog, recordSecretsCommands } from './consumer-container';

const world = useEngineWorld();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Off the refresher's and the cache's round numbers, so reads land at many offsets from expiry. */
const STEP = 7 * MINUTE + 13_000;
const CONCURRENT_READS = 5;

const sdkClients: SecretsManagerClient[] = [];
afterAll(() => {
  for (const client of sdkClients) client.destroy();
});

/** A reader on the world's test clock (the simulator's too), with its own counted SDK client. */
function startReader(connectionId: string, refreshSkewMs: number): { reader: TokenReader; log: CommandLog } {
  const w = world();
  const log = new CommandLog();
  const client = recordSecretsCommands(new SecretsManagerClient(w.emulator.clientConfig), log);
  sdkClients.push(client);
  const reader = createTokenReader({
    connectionId,
    secretPrefix: w.config.secretPrefix,
    client,
    clock: w.clock,
    refreshSkewMs,
  });
  return { reader, log };
}

/** What Zoho Books says to the token right now (the simulator expires tokens on the same clock). */
async function booksStatus(token: { apiDomain: string; accessToken: string }): Promise<number> {
  const response = await fetch(`${token.apiDomain}/books/v3/organizations`, {
    headers: { Authorization: `Zoho-oauthtoken ${token.accessToken}` },
  });
  await response.arrayBuffer();
  return response.status;
}

describe('the consumer token cache across expiries', () => {
  it('hands out only unexpired tokens for 5 hours of refreshes, reading each version once per reader', async () => {
    // Prepare: the scheduled refresher keeps the connection fresh; three readers with different skews
    const w = world();
    const id = 'cache-books';
    const { refreshToken } = await w.addConnection(id, 'us');
    const readers = [0, MINUTE, 5 * MINUTE].map((skew) => ({ skew, ...startReader(id, skew) }));
    const end = w.clock.now() + 5 * HOUR;
    const handedOut: Array<{ skew: number; version: number; msLeft: number }> = [];
    const booksAnswers: number[] = [];

    // Act: every step the schedule runs, then each reader is asked concurrently, then time moves on
    while (w.clock.now() < end) {
      await w.sweep();
      for (const { skew, reader } of readers) {
        const tokens = await Promise.all(Array.from({ length: CONCURRENT_READS }, () => reader.getToken()));
        const at = w.clock.now();
        for (const token of tokens)
          handedOut.push({ skew, version: token.version, msLeft: token.expiresAt - at });
        booksAnswers.push(await booksStatus(tokens[0] ?? expect.fail('no token')));
      }
      w.clock.advance(STEP);
    }

    // Assess: every hand-out unexpired and accepted by Zoho; one GetSecretValue per version per reader
    const steps = Math.ceil((5 * HOUR) / STEP);
    // Refreshes at 0, then at the first step past each due time (expiry − 15 min − half the jitter).
    const finalVersion = 6;
    expect((await w.ports.store.get(id))?.version).toBe(finalVersion);
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(finalVersion);
    expect(handedOut).toHaveLength(steps * readers.length * CONCURRENT_READS);
    expect(booksAnswers).toEqual(Array(steps * readers.length).fill(200));
    expect(w.sim.calls.books401).toBe(0);
    const everyVersion = Array.from({ length: finalVersion }, (_, i) => i + 1);
    for (const { skew, log } of readers) {
      // Never past expiry, and never inside the reader's skew while a newer token was there to read.
      expect(handedOut.filter((entry) => entry.skew === skew && entry.msLeft <= skew)).toEqual([]);
      expect({ skew, reads: log.versionsRead }).toEqual({ skew, reads: everyVersion });
      expect(log.count('GetSecretValueCommand')).toBe(finalVersion);
    }
  });

  it('never hands out an expired token when the refresher falls behind: it re-reads, then refuses', async () => {
    // Prepare: version 1 stored, then no refresher at all. getToken refuses the expired token; the
    // client's fetch heals the same situation by reporting it (try-catch-refresh.test.ts).
    const w = world();
    const id = 'stale-books';
    await w.addConnection(id, 'us');
    const first = await refreshConnection(w.deps, { connectionId: id, trigger: 'operator' });
    expect(first).toMatchObject({ outcome: 'refreshed', version: 1 });
    const expiresAt = w.clock.now() + HOUR;
    const { reader, log } = startReader(id, MINUTE);
    await reader.getToken();

    // Act: inside the skew the token is still served, uncached; at expiry it is refused
    w.clock.advance(expiresAt - 30_000 - w.clock.now());
    const servedAt = w.clock.now();
    const insideSkew = await Promise.all(Array.from({ length: CONCURRENT_READS }, () => reader.getToken()));
    const again = await reader.getToken();
    w.clock.advance(30_000);
    const atExpiry = await Promise.all(
      Array.from({ length: CONCURRENT_READS }, () => reader.getToken().catch((error: unknown) => error)),
    );

    // Assess: one read when cold, one per round inside the skew (concurrent callers share it), then refusal
    expect(insideSkew.map((token) => [token.version, token.expiresAt - servedAt])).toEqual(
      Array(CONCURRENT_READS).fill([1, 30_000]),
    );
    expect(again.version).toBe(1);
    for (const error of atExpiry) {
      expect(error).toBeInstanceOf(TokenExpiredError);
      expect(error).toMatchObject({ connectionId: id, version: 1, expiresAt });
    }
    expect(log.versionsRead).toEqual([1, 1, 1, 1]);
    expect(log.count('GetSecretValueCommand')).toBe(4);
  });
});
