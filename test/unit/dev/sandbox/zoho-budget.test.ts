import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveSandboxSettings } from '../../../../dev/sandbox/options';
import { observeStore } from '../../../../dev/sandbox/refresher';
import {
  budgetKey,
  describeBudget,
  openSandboxLedger,
  withEarlierCalls,
  ZOHO_CALLS_FILE,
  type ZohoCallLedger,
} from '../../../../dev/sandbox/zoho-budget';
import { type EpochMillis, newConnection } from '../../../../functions/core/connection';
import { ConfigurationError } from '../../../../functions/core/errors';
import type { RefreshDependencies } from '../../../../functions/core/refresh-deps';
import { createFakeWorld, type FakeWorld } from '../../../support/fakes';
import { runScheduled } from '../../../support/scheduled-run';

const CLIENT = { clientId: '1000.CLIENT', clientSecret: 'test-cs-secret' };
const REFRESH_TOKEN = '1000.test-rt-sandbox';
const realEnv = (refreshToken = REFRESH_TOKEN) => ({
  ZOHO_CLIENT_ID: CLIENT.clientId,
  ZOHO_CLIENT_SECRET: CLIENT.clientSecret,
  ZOHO_REFRESH_TOKEN: refreshToken,
});
const SCHEDULE = { concurrency: 1 };
const START = Date.UTC(2026, 10, 26, 8, 0, 0);

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'sandbox-budget-')), 'state');
});
afterEach(() => {
  rmSync(join(dir, '..'), { recursive: true, force: true });
});

/**
 * One real-Zoho sandbox run as `runSandbox` wires it, on in-memory ports: the ledger opened at
 * start, the demo connection seeded from it, the store observed, and `sweeps` scheduled runs 31 s apart
 * (the fake Zoho's 60 s tokens are due again at half life).
 */
async function run(
  startAt: EpochMillis,
  sweeps: number,
  options: { refreshToken?: string; world?: FakeWorld; afterStart?: () => void } = {},
) {
  const world = options.world ?? createFakeWorld();
  world.clock.current = startAt;
  world.zoho.lifetimeSeconds = 60;
  const settings = resolveSandboxSettings({ env: realEnv(options.refreshToken) });
  const ledger = openSandboxLedger(settings, dir, world.clock.now) as ZohoCallLedger;
  const deps: RefreshDependencies = {
    ...world,
    store: observeStore(world.store, {
      onHistory: () => undefined,
      onZohoCalls: (_id, calls) => ledger.record(calls),
      log: world.log,
    }),
  };
  const earlier = ledger.calls();
  options.afterStart?.();
  const connection = newConnection(
    {
      connectionId: 'sandbox-us',
      dc: 'us',
      accountsServer: 'https://accounts.zoho.com',
      apiDomain: 'https://www.zohoapis.com',
      clientRef: 'sandbox',
      encryptedRefreshToken: await world.cipher.encrypt('sandbox-us', options.refreshToken ?? REFRESH_TOKEN),
    },
    startAt,
  );
  await world.store.create(withEarlierCalls(connection, earlier, world.policy, startAt));
  for (let i = 0; i < sweeps; i++) {
    await runScheduled(deps, SCHEDULE);
    world.clock.advance(31_000);
  }
  return { world, deps, ledger, earlier };
}

const fileText = () => readFileSync(join(dir, ZOHO_CALLS_FILE), 'utf8');
const storedKeys = () => Object.keys(JSON.parse(fileText()).tokenRequests);

describe('the real-Zoho sandbox keeps the Zoho budget across restarts', () => {
  it('lets a second run within 10 minutes make only the 3 calls left of the 9', async () => {
    // Act: two runs of 6 refreshes each, the second starting a minute after the first stopped
    const first = await run(START, 6);
    const second = await run(first.world.clock.now() + 60_000, 6);

    // Assess
    expect(first.world.zoho.refreshCalls).toBe(6);
    expect(second.earlier).toHaveLength(6);
    expect(second.world.zoho.refreshCalls).toBe(3);
    expect(second.world.store.history.map((h) => h.outcome)).toEqual([
      'refreshed',
      'refreshed',
      'refreshed',
      'budget_exhausted',
    ]);
    expect(second.ledger.calls()).toHaveLength(9);
  });

  it('counts nothing of a run more than 10 minutes ago', async () => {
    // Act
    const first = await run(START, 6);
    const later = await run(first.world.clock.now() + 10 * 60_000, 6);

    // Assess
    expect(later.earlier).toEqual([]);
    expect(later.world.zoho.refreshCalls).toBe(6);
  });

  it('saves each token request before it is sent', async () => {
    // Prepare: a Zoho that reads the file when the request arrives
    const world = createFakeWorld();
    const savedWhenSent: number[] = [];
    const zoho = world.zoho;
    const refresh = zoho.refreshAccessToken.bind(zoho);
    zoho.refreshAccessToken = async () => {
      savedWhenSent.push(Object.values(JSON.parse(fileText()).tokenRequests).flat().length);
      return refresh();
    };

    // Act
    await run(START, 3, { world });

    // Assess
    expect(savedWhenSent).toEqual([1, 2, 3]);
  });

  it('writes neither the refresh token nor the client secret, only a hash, in a file only its owner reads', async () => {
    // Act
    await run(START, 2);

    // Assess
    const text = fileText();
    for (const secret of [REFRESH_TOKEN, CLIENT.clientSecret, 'test-rt-', 'test-cs-']) {
      expect(text).not.toContain(secret);
    }
    expect(storedKeys()).toEqual([budgetKey(CLIENT.clientId, REFRESH_TOKEN)]);
    expect(storedKeys()[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, ZOHO_CALLS_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual([ZOHO_CALLS_FILE]);
  });

  it("keeps each refresh token's requests apart in one file", async () => {
    // Act
    const first = await run(START, 4);
    const other = await run(first.world.clock.now(), 2, { refreshToken: '1000.test-rt-other' });

    // Assess
    expect(other.earlier).toEqual([]);
    expect(storedKeys().sort()).toEqual(
      [budgetKey(CLIENT.clientId, REFRESH_TOKEN), budgetKey(CLIENT.clientId, '1000.test-rt-other')].sort(),
    );
    const counts = Object.values(JSON.parse(fileText()).tokenRequests as Record<string, string[]>)
      .map((times) => times.length)
      .sort();
    expect(counts).toEqual([2, 4]);
  });
});

describe('a start whose budget earlier runs spent', () => {
  it('starts, says when the budget frees up, and calls Zoho only then', async () => {
    // Prepare: 9 requests, the first at START
    const spent = await run(START, 9);
    const now = spent.world.clock.now();
    const freeAt = START + 10 * 60_000 + 1;

    // Act
    const second = await run(now, 1);
    const line = describeBudget(second.earlier, second.world.policy, now, join(dir, ZOHO_CALLS_FILE));
    const before = second.world.zoho.refreshCalls;
    second.world.clock.current = freeAt;
    await runScheduled(second.deps, SCHEDULE);

    // Assess
    expect(spent.world.zoho.refreshCalls).toBe(9);
    expect(before).toBe(0);
    expect(second.world.store.history.map((h) => h.outcome)).toEqual(['refreshed']);
    expect(second.world.zoho.refreshCalls).toBe(1);
    expect(line).toContain(
      'Zoho budget: 9 of 9 token requests used in the last 10 minutes by earlier runs (',
    );
    expect(line).toContain(
      `: no refresh until ${new Date(freeAt).toTimeString().slice(0, 8)} (in 5m); the sandbox runs meanwhile and refreshes then`,
    );
  });

  it('says how much is used when some budget is left', () => {
    expect(describeBudget([START], createFakeWorld().policy, START + 1, '/elsewhere/zoho-calls.json')).toBe(
      'Zoho budget: 1 of 9 token requests used in the last 10 minutes by earlier runs (/elsewhere/zoho-calls.json)',
    );
  });
});

describe('what the budget file refuses', () => {
  it('sends no request it could not save, and says so', async () => {
    // Prepare: once started, the file's place is taken by a directory, so no write can succeed
    const blockFile = () => mkdirSync(join(dir, ZOHO_CALLS_FILE, 'blocked'), { recursive: true });

    // Act
    const { world } = await run(START, 1, { afterStart: blockFile });

    // Assess
    // The call is recorded in the lease write, so the refused save ends the run there: no request,
    // and the lease left to expire (the next run tries again).
    expect(world.zoho.refreshCalls).toBe(0);
    expect(world.store.history).toEqual([]);
    expect(world.log.lines).toContainEqual({
      level: 'warn',
      message: 'Could not save the Zoho budget; the token request is not sent',
      attributes: { errorName: 'EISDIR' },
    });
  });

  it('stops the start on a file it cannot read, naming the file but never its content', () => {
    // Prepare
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, ZOHO_CALLS_FILE), '{"tokenRequests": "1000.test-rt-leaked"');

    // Act
    const open = () => openSandboxLedger(resolveSandboxSettings({ env: realEnv() }), dir);

    // Assess
    expect(open).toThrow(ConfigurationError);
    expect(open).toThrow(
      `${join(dir, ZOHO_CALLS_FILE)} is not a Zoho budget file the sandbox can read (not JSON)`,
    );
    expect(open).not.toThrow(/test-rt-/);
  });
});

describe('the simulator mode', () => {
  it('keeps no budget file: it opens no ledger and writes nothing', () => {
    // Act
    const simulated = openSandboxLedger(resolveSandboxSettings({ env: {} }), dir);
    const localServer = openSandboxLedger(
      resolveSandboxSettings({ env: realEnv(), zohoAccounts: 'http://127.0.0.1:9' }),
      dir,
    );

    // Assess
    expect(simulated).toBeUndefined();
    expect(localServer).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });
});
