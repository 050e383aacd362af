import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLocalResources, LOCAL_NAMES } from '../../../dev/resources/resources';
import { runSandbox, type SandboxReport, type TimedEvent } from '../../../dev/sandbox';
import { TABLE_HEADERS } from '../../../dev/sandbox/view';
import { SHARED_TOKEN_WARNING, ZOHO_CALLS_FILE, ZohoCallLedger } from '../../../dev/sandbox/zoho-budget';
import { putClientCredentials } from '../../../functions/aws/client-credentials';
import { DynamoDbConnectionStore } from '../../../functions/aws/connection-store';
import { connectionKey } from '../../../functions/aws/table';
import { newConnection } from '../../../functions/core/connection';
import { useEmulator } from '../../support/emulator';

/** Pids of this process's children (Linux /proc): the sandbox's moto is one while it runs. */
function childPids(): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // `pid (comm) state ppid …`; comm may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children.sort();
}

const refusesConnections = async (origin: string) =>
  fetch(origin, { signal: AbortSignal.timeout(2_000) }).then(
    () => false,
    () => true,
  );

type Of<K extends TimedEvent['kind']> = Extract<TimedEvent, { kind: K }>;
const ofKind = <K extends TimedEvent['kind']>(report: SandboxReport, kind: K) =>
  report.events.filter((event): event is Of<K> => event.kind === kind);

const temporaryDirs: string[] = [];
const temporaryDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
  temporaryDirs.push(dir);
  return dir;
};
afterEach(() => {
  vi.unstubAllGlobals();
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the local sandbox (npm start)', () => {
  it('refreshes on schedule and on demand, serves the consumers, and leaves nothing running', async () => {
    // Prepare
    const lines: string[] = [];
    const childrenBefore = childPids();
    const stateDir = join(temporaryDir(), 'state');

    // Act: 20 s tokens (refreshed at half life), a sweep every 2 s, a consumer call every second
    // per connection, and the simulated Zoho expiring one connection's tokens every 6 s.
    const report = await runSandbox({
      durationSeconds: 20,
      tokenLifetimeSeconds: 20,
      sweepIntervalSeconds: 2,
      consumerIntervalSeconds: 1,
      expireEverySeconds: 6,
      drainIntervalSeconds: 0.5,
      env: {},
      stateDir,
      handleSignals: false,
      out: { write: (text) => lines.push(text), isTTY: false },
    });

    // Assess: what ran
    const ids = report.connections.map((c) => c.connectionId).sort();
    expect(ids).toEqual(['demo-eu', 'demo-us']);
    expect(report.connections.map((c) => c.dc).sort()).toEqual(['eu', 'us']);
    expect(report).toMatchObject({ stoppedBy: 'duration', startedEmulator: true });
    expect(report.firstRefreshMs).toBeDefined();
    // --duration counts from the end of the start-up (moto, resources, simulator), not from the call
    const readyAt = report.readyAt ?? expect.fail('the sandbox never said it was up');
    expect(readyAt).toBeGreaterThan(report.startedAt);
    expect(report.stoppedAt - readyAt).toBeGreaterThanOrEqual(20_000);
    expect(report.removedFromEmulator).toBeUndefined();

    // Both connections refreshed by the schedule, never a failed refresh
    const refreshes = ofKind(report, 'refresh');
    for (const id of ids) {
      expect(
        refreshes.filter(
          (r) => r.connectionId === id && r.trigger === 'scheduled' && r.outcome === 'refreshed',
        ),
      ).not.toEqual([]);
    }
    expect(refreshes.filter((r) => r.outcome !== 'refreshed')).toEqual([]);

    // Exact: every refresh is one Zoho call, and the version counts the refreshes
    for (const connection of report.finalState) {
      const own = refreshes.filter((r) => r.connectionId === connection.connectionId);
      expect(connection.status).toBe('active');
      expect(connection.version).toBe(own.length);
      expect(report.zohoCalls[connection.connectionId]).toBe(own.length);
      expect(report.simulator?.tokenCalls[connection.connectionId]).toBe(own.length);
    }

    // A 401, its event through the bus and the queue, the on-demand refresh, the consumer's success
    const rejected = ofKind(report, 'consumer-401');
    const delivered = ofKind(report, 'rejected-delivered');
    expect(report.simulator?.books401).toBe(rejected.length);
    expect(ofKind(report, 'zoho-expired').length).toBeGreaterThanOrEqual(2);
    const chain =
      delivered.find((d) => d.result === `refreshed to v${d.version + 1}`) ??
      expect.fail('no on-demand refresh caused by a consumer 401');
    const at = (event: TimedEvent) => report.events.indexOf(event);
    expect(
      rejected.some(
        (r) => r.connectionId === chain.connectionId && r.version === chain.version && at(r) < at(chain),
      ),
    ).toBe(true);
    expect(
      refreshes.some(
        (r) =>
          r.connectionId === chain.connectionId &&
          r.trigger === 'on_demand' &&
          r.version === chain.version + 1,
      ),
    ).toBe(true);
    const recovered = ofKind(report, 'consumer-ok').find(
      (ok) =>
        ok.connectionId === chain.connectionId &&
        ok.version === chain.version + 1 &&
        ok.afterRejection &&
        at(ok) > at(chain),
    );
    expect(recovered, 'the consumer succeeded with the new token').toBeDefined();
    // Every delivered event is one a consumer reported: a 401 it published, or an expired stored token
    const reported = [...rejected.filter((r) => r.reported), ...ofKind(report, 'consumer-expired')];
    for (const event of delivered) {
      expect(reported.some((r) => r.connectionId === event.connectionId && r.version === event.version)).toBe(
        true,
      );
    }
    expect(delivered.length).toBeLessThanOrEqual(reported.length);
    for (const notReported of rejected.filter((r) => !r.reported)) {
      expect(notReported.notReported).toBeDefined();
    }
    expect(ofKind(report, 'warning')).toEqual([]);

    // What it showed
    const output = lines.join('');
    expect(output).toContain(TABLE_HEADERS.join('  '));
    expect(output).toContain('demo-us  refreshed v1 (scheduled, 1 Zoho call)');
    expect(output).toContain('Final state:');
    expect(output).toMatch(
      /\nRan \d+\.\d s after a \d+\.\d s start-up; first refresh \d+\.\d s in\. Everything the sandbox started is stopped\.\n$/,
    );
    // The Books calls answered 200 at the first try are counted, not logged one by one
    expect(output).not.toMatch(/Books answered 200 with v\d+\n/);
    expect(output).toMatch(/\n {2}demo-us {2}\d+ Books calls answered 200, the last with v\d+\n/);
    expect(output).not.toContain(SHARED_TOKEN_WARNING);

    // The simulated Zoho's budget restarts with it: nothing is kept on disk
    expect(existsSync(stateDir)).toBe(false);

    // Stopped: no child process, nothing listening
    expect(childPids()).toEqual(childrenBefore);
    expect(await refusesConnections(report.awsEndpoint ?? '')).toBe(true);
    for (const connection of report.connections) {
      expect(await refusesConnections(connection.accountsServer)).toBe(true);
      expect(await refusesConnections(connection.apiDomain)).toBe(true);
    }
  });

  it('with the real Zoho, warns about shared refresh tokens and spends only what earlier runs left', async () => {
    // Prepare: earlier runs made 8 token requests in the last minute; no request may leave this
    // machine, so every Zoho request is answered by a failing fetch that only counts it.
    const stateDir = temporaryDir();
    const credentials = { clientId: '1000.REALTEST', refreshToken: '1000.test-rt-real-budget' };
    const earlier = ZohoCallLedger.open({ dir: stateDir, ...credentials });
    const now = Date.now();
    await earlier.record(Array.from({ length: 8 }, (_, i) => now - 60_000 + i * 1_000));
    const sent: string[] = [];
    const localFetch = globalThis.fetch;
    vi.stubGlobal('fetch', async (input: string | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      // The emulator on loopback stays reachable (its start-up probe uses fetch).
      if (url.hostname === '127.0.0.1') return localFetch(input, init);
      sent.push(url.origin);
      throw new TypeError('fetch failed');
    });
    const lines: string[] = [];

    // Act
    const report = await runSandbox({
      durationSeconds: 4,
      sweepIntervalSeconds: 1,
      env: {
        ZOHO_CLIENT_ID: credentials.clientId,
        ZOHO_CLIENT_SECRET: 'test-cs-real-budget',
        ZOHO_REFRESH_TOKEN: credentials.refreshToken,
      },
      stateDir,
      handleSignals: false,
      out: { write: (text) => lines.push(text), isTTY: false },
    });

    // Assess: one request (the 9th), then the budget stopped the retry
    const output = lines.join('');
    expect(output).toContain(`${SHARED_TOKEN_WARNING}\n`);
    expect(output).toContain(
      'Zoho budget: 8 of 9 token requests used in the last 10 minutes by earlier runs (',
    );
    expect(sent).toEqual(['https://accounts.zoho.com']);
    expect(
      ofKind(report, 'refresh').map((r) => [r.connectionId, r.outcome, r.zohoCalls, r.errorCode]),
    ).toEqual([['sandbox-us', 'budget_exhausted', 1, 'budget_exhausted']]);
    const next = ZohoCallLedger.open({ dir: stateDir, ...credentials });
    expect(next.calls()).toHaveLength(9);
    const file = readFileSync(join(stateDir, ZOHO_CALLS_FILE), 'utf8');
    for (const secret of ['test-rt-', 'test-cs-']) expect(file).not.toContain(secret);
  });
});

describe('the sandbox on an emulator the user runs (--aws-endpoint)', () => {
  const { endpoint, clientConfig } = useEmulator();

  /** The sandbox on the shared emulator, for `durationSeconds` after its start-up, printing into `lines`. */
  const runOnEmulator = (lines: string[], durationSeconds = 1) =>
    runSandbox({
      awsEndpoint: endpoint,
      durationSeconds,
      sweepIntervalSeconds: 1,
      consumerIntervalSeconds: 1,
      expireEverySeconds: 0,
      env: {},
      handleSignals: false,
      out: { write: (text) => lines.push(text), isTTY: false },
    });

  it('removes at the stop what it registered, and leaves the emulator running', async () => {
    // Prepare
    const lines: string[] = [];
    const dynamodb = new DynamoDBClient(clientConfig);
    const secrets = new SecretsManagerClient(clientConfig);

    // Act
    const report = await runOnEmulator(lines, 2);

    // Assess: it ran, refreshed and registered both demo connections…
    expect(report.startedEmulator).toBe(false);
    expect(report.finalState.map((c) => [c.connectionId, c.status]).sort()).toEqual([
      ['demo-eu', 'active'],
      ['demo-us', 'active'],
    ]);
    expect(report.removedFromEmulator?.slice().sort()).toEqual(['demo-eu', 'demo-us']);

    // …and took them out again: no item (connection or history), no secret of the sandbox
    const items = await dynamodb.send(new ScanCommand({ TableName: LOCAL_NAMES.tableName }));
    expect(items.Items ?? []).toEqual([]);
    const names = (await secrets.send(new ListSecretsCommand({}))).SecretList?.map((x) => x.Name) ?? [];
    expect(names.filter((name) => /demo-|_clients\/sandbox/.test(name ?? ''))).toEqual([]);
    expect(lines.join('')).toContain(
      `Removed what this run added to the emulator at ${endpoint} (it keeps running): connections demo-us, demo-eu with their history and access-token secrets, and the client app 'sandbox'.\n`,
    );
    expect(await refusesConnections(endpoint)).toBe(false);
    dynamodb.destroy();
    secrets.destroy();
  });

  const marshalledKey = (connectionId: string) => {
    const { pk, sk } = connectionKey(connectionId);
    return { pk: { S: pk }, sk: { S: sk } };
  };
  /** A connection registered straight in the emulator's table, as `add` would, never refreshed. */
  const seed = async (store: DynamoDbConnectionStore, connectionId: string, clientRef: string) =>
    store.create(
      newConnection(
        {
          connectionId,
          dc: 'us',
          accountsServer: 'https://accounts.zoho.com',
          apiDomain: 'https://www.zohoapis.com',
          clientRef,
          encryptedRefreshToken: 'not-decrypted-here',
        },
        Date.now(),
      ),
    );

  it('keeps what an earlier run or the user left: a leftover demo-us (disabled) and a client app it did not create', async () => {
    // Prepare
    const dynamodb = new DynamoDBClient(clientConfig);
    const secrets = new SecretsManagerClient(clientConfig);
    const store = new DynamoDbConnectionStore({ client: dynamodb, tableName: LOCAL_NAMES.tableName });
    await createLocalResources({ endpoint, region: clientConfig.region });
    await putClientCredentials(secrets, LOCAL_NAMES.secretPrefix, 'sandbox', {
      clientId: '1000.EARLIER',
      clientSecret: 'test-cs-earlier',
    });
    await seed(store, 'demo-us', 'sandbox');
    const lines: string[] = [];

    // Act
    const report = await runOnEmulator(lines);

    // Assess: its own demo-us got a suffix and went; the leftover and the client app stayed
    const removed = report.removedFromEmulator ?? [];
    expect(removed).toHaveLength(2);
    expect(removed).toContain('demo-eu');
    expect(removed.find((id) => id.startsWith('demo-us-'))).toMatch(/^demo-us-[0-9a-f]{4}$/);
    expect((await store.listAll()).map((c) => [c.connectionId, c.status])).toEqual([['demo-us', 'disabled']]);
    const names = (await secrets.send(new ListSecretsCommand({}))).SecretList?.map((x) => x.Name) ?? [];
    expect(names).toContain(`${LOCAL_NAMES.secretPrefix}/_clients/sandbox`);
    expect(lines.join('')).not.toContain("the client app 'sandbox'");
    // The next test wants only the user's connection in the table.
    await dynamodb.send(
      new DeleteItemCommand({ TableName: LOCAL_NAMES.tableName, Key: marshalledKey('demo-us') }),
    );
    dynamodb.destroy();
    secrets.destroy();
  });

  it('keeps a client app it did not create even when no connection uses it any more', async () => {
    // Prepare
    const secrets = new SecretsManagerClient(clientConfig);
    await createLocalResources({ endpoint, region: clientConfig.region });
    await putClientCredentials(secrets, LOCAL_NAMES.secretPrefix, 'sandbox', {
      clientId: '1000.EARLIER',
      clientSecret: 'test-cs-earlier',
    });
    const lines: string[] = [];

    // Act
    const report = await runOnEmulator(lines);

    // Assess
    expect(report.removedFromEmulator?.slice().sort()).toEqual(['demo-eu', 'demo-us']);
    const names = (await secrets.send(new ListSecretsCommand({}))).SecretList?.map((x) => x.Name) ?? [];
    expect(names).toContain(`${LOCAL_NAMES.secretPrefix}/_clients/sandbox`);
    expect(lines.join('')).toContain(
      `Removed what this run added to the emulator at ${endpoint} (it keeps running): connections demo-us, demo-eu with their history and access-token secrets.\n`,
    );
    secrets.destroy();
  });

  it("refuses an emulator holding the user's own connections, before writing anything to it", async () => {
    // Prepare
    const dynamodb = new DynamoDBClient(clientConfig);
    const store = new DynamoDbConnectionStore({ client: dynamodb, tableName: LOCAL_NAMES.tableName });
    await createLocalResources({ endpoint, region: clientConfig.region });
    await seed(store, 'acme-books', 'books');
    const before = await store.get('acme-books');

    // Act
    const outcome = await runOnEmulator([]).then(
      () => 'ran',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );

    // Assess
    expect(outcome).toBe(
      `the emulator at ${endpoint} holds connections the sandbox did not make (acme-books); its sweeps and drains would act on them too`,
    );
    expect(await store.get('acme-books')).toEqual(before);
    expect((await store.listAll()).map((c) => c.connectionId)).toEqual(['acme-books']);
    dynamodb.destroy();
  });
});
