import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { SIM_DCS, startZohoSimulator, type ZohoSimulator } from '../../../../dev/zoho-simulator';
import { capturedOutput } from '../../../support/log-capture';
import {
  accessTokenFor,
  CLIENT,
  type Harness,
  organizations,
  postToken,
  refresh,
  revoke,
  startHarness,
} from './zoho-simulator-helpers';

const execFileAsync = promisify(execFile);
const PROBE = fileURLToPath(new URL('./simulator-stop-probe.ts', import.meta.url));
/** Far below the 60 s latency fault the busy scenario leaves pending, far above a normal exit (≈ 0.3 s). */
const EXIT_DEADLINE_MS = 20_000;
/** A child process starts in ≈ 0.3 s; a busy 2-core CI machine gets far more than the default 5 s. */
const PROBE_TEST_TIMEOUT_MS = EXIT_DEADLINE_MS + 10_000;

/**
 * Plays a scenario of `simulator-stop-probe.ts` in a fresh node process. It resolves with the scenario's outcome
 * only if the process then exits by itself; a leaked server, socket or timer keeps it alive until it is killed.
 */
async function outcomeOfProbe(scenario: string): Promise<{ outcome: unknown; exitedByItself: boolean }> {
  try {
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', PROBE, scenario], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      timeout: EXIT_DEADLINE_MS,
    });
    return { outcome: JSON.parse(stdout), exitedByItself: true };
  } catch (error) {
    const killed = (error as { killed?: boolean }).killed === true;
    return { outcome: killed ? 'killed at the deadline' : String(error), exitedByItself: false };
  }
}

describe('Zoho simulator: addresses, counters and lifecycle', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.sim.stop();
    h = undefined;
  });

  it('serves every DC on local origins of its own, one for accounts and one for the API', async () => {
    h = await startHarness();
    const sim = h.sim;

    const origins = SIM_DCS.flatMap((dc) => [sim.accountsServer(dc), sim.apiDomain(dc)]);

    expect(origins).toHaveLength(18);
    for (const origin of origins) expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set(origins).size).toBe(18);
    expect(() => sim.accountsServer('ca2')).toThrow('unknown Zoho data centre');
    expect(() => sim.apiDomain('ca2')).toThrow('unknown Zoho data centre');
  });

  it('refuses to issue tokens for an unregistered client or a DC it is not enabled in', async () => {
    h = await startHarness();

    expect(() => h?.sim.issueRefreshToken({ clientId: '1000.NOBODY', dc: 'us' })).toThrow('not registered');
    expect(() => h?.sim.issueGrantCode({ clientId: CLIENT.clientId, dc: 'jp' })).toThrow('not registered');
  });

  it('rejects options that are not positive integers', async () => {
    await expect(startZohoSimulator({ throttleLimit: 0 })).rejects.toThrow('throttleLimit');
  });

  it('fails loudly, holding no handle, when it cannot listen', {
    timeout: PROBE_TEST_TIMEOUT_MS,
  }, async () => {
    const probe = await outcomeOfProbe('cannot-listen');

    expect(probe).toEqual({
      outcome: { started: expect.stringMatching(/^failed: .*EADDRNOTAVAIL/) },
      exitedByItself: true,
    });
  });

  it('answers unknown routes, DC path prefixes, wrong methods and wrong hosts with a JSON 404', async () => {
    h = await startHarness();
    const accounts = h.sim.accountsServer('us');
    const api = h.sim.apiDomain('us');

    const unknownPath = await fetch(`${accounts}/nope`);
    const prefixed = await fetch(`${accounts}/accounts/us/oauth/v2/token`, { method: 'POST' });
    const wrongMethod = await fetch(`${accounts}/oauth/v2/token`);
    const tokenOnApi = await fetch(`${api}/oauth/v2/token`, { method: 'POST' });
    const booksOnAccounts = await fetch(`${accounts}/books/v3/organizations`);

    expect(unknownPath.status).toBe(404);
    expect(await unknownPath.json()).toEqual({ error: 'not_found' });
    expect([prefixed.status, wrongMethod.status, tokenOnApi.status, booksOnAccounts.status]).toEqual([
      404, 404, 404, 404,
    ]);
    expect([h.sim.calls.token, h.sim.calls.books]).toEqual([0, 0]);
  });

  it('counts exactly what was asked, faulted calls included', async () => {
    // Prepare
    h = await startHarness();
    const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
    const other = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'eu' });
    const code = h.sim.issueGrantCode({ clientId: CLIENT.clientId, dc: 'eu' });
    // Act
    const at = await accessTokenFor(h.sim, 'us', rt);
    h.sim.faults.queue('token', 'http-500');
    await refresh(h.sim, 'us', rt);
    await refresh(h.sim, 'eu', other);
    await postToken(h.sim, 'eu', {
      grant_type: 'authorization_code',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      code,
    });
    await postToken(h.sim, 'in', {});
    await organizations(h.sim, 'us', at);
    await organizations(h.sim, 'us');
    h.sim.faults.queue('books', 'books-401');
    await organizations(h.sim, 'us', at);
    await revoke(h.sim, 'us', rt);
    // Assess
    const { calls } = h.sim;
    expect([calls.token, calls.revoke, calls.books, calls.books401]).toEqual([5, 1, 3, 2]);
    expect(calls.tokenByGrantType).toEqual({ refresh_token: 3, authorization_code: 1, '(none)': 1 });
    expect(calls.tokenByDc).toEqual({ us: 2, eu: 2, in: 1 });
    expect([calls.tokenCallsFor(rt), calls.tokenCallsFor(other), calls.tokenCallsFor('x')]).toEqual([
      2, 1, 0,
    ]);
  });

  it('resetCounters zeroes the counters and keeps the state', async () => {
    h = await startHarness();
    const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
    await refresh(h.sim, 'us', rt);

    h.sim.resetCounters();

    expect([h.sim.calls.token, h.sim.calls.tokenCallsFor(rt)]).toEqual([0, 0]);
    expect(h.sim.calls.tokenByDc).toEqual({});
    expect((await refresh(h.sim, 'us', rt)).status).toBe(200);
  });

  it('reset forgets clients, tokens, faults and counters', async () => {
    h = await startHarness();
    const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
    const at = await accessTokenFor(h.sim, 'us', rt);
    h.sim.faults.set('books', 'books-429');

    h.sim.reset();
    const books = await organizations(h.sim, 'us', at);
    const refreshed = await refresh(h.sim, 'us', rt);

    expect(books.status).toBe(401);
    expect(refreshed.json).toEqual({ error: 'invalid_client' });
    expect(h.sim.calls.token).toBe(1);
  });

  it('stop() ends hung requests and pending latency, closes every socket and can be called twice', async () => {
    // Prepare
    const sim: ZohoSimulator = await startZohoSimulator();
    sim.registerClient({ ...CLIENT, dcs: ['us'] });
    const rt = sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
    await accessTokenFor(sim, 'us', rt); // leaves a keep-alive socket open
    sim.faults.queue('token', 'hang');
    sim.faults.queue('books', { latencyMs: 60_000 });
    const hung = refresh(sim, 'us', rt).then(
      () => 'answered',
      () => 'failed',
    );
    const delayed = organizations(sim, 'us', 'x').then(
      () => 'answered',
      () => 'failed',
    );
    await waitUntil(() => sim.calls.token === 2 && sim.calls.books === 1);
    // Act
    await sim.stop();
    await sim.stop();
    // Assess
    expect(await hung).toBe('failed');
    expect(await delayed).toBe('failed');
    for (const dc of SIM_DCS) {
      await expect(fetch(sim.accountsServer(dc))).rejects.toThrow(TypeError);
      await expect(fetch(sim.apiDomain(dc))).rejects.toThrow(TypeError);
    }
  });

  it('leaves no server, socket or timer that would keep a process alive after stop()', {
    timeout: PROBE_TEST_TIMEOUT_MS,
  }, async () => {
    const probe = await outcomeOfProbe('stop-while-busy');

    expect(probe).toEqual({
      outcome: { hung: 'failed: fetch failed', delayed: 'failed: fetch failed' },
      exitedByItself: true,
    });
  });

  it('writes nothing to the logs, so no token can leak through it', async () => {
    h = await startHarness();
    const rt = h.sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
    console.info('probe');
    const start = capturedOutput.length;

    const at = await accessTokenFor(h.sim, 'us', rt);
    await organizations(h.sim, 'us', at);
    await refresh(h.sim, 'us', '1000.test-rt-unknown');
    await revoke(h.sim, 'us', rt);

    expect(start).toBeGreaterThan(0);
    expect(capturedOutput.slice(start)).toEqual([]);
  });
});

/** Polls on the event loop (a bounded number of turns, no timers) until the condition holds. */
async function waitUntil(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1_000 && !condition(); turn += 1) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
