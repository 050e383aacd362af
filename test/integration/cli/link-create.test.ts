import { describe, expect, it } from 'vitest';
import { cryptoLinkStates } from '../../../functions/aws/link-states';
import { DynamoDbLinkStore } from '../../../functions/aws/link-store';
import { runCli } from './cli-run';
import { useCliWorld } from './cli-world';

const world = useCliWorld();
const BASE = 'http://127.0.0.1:8790';
const linkCreate = (id: string, ...extra: string[]) =>
  world.localCustom(
    'link',
    'create',
    '--id',
    id,
    '--client',
    'books',
    '--accounts-server',
    world.accountsServer('us'),
    '--base-url',
    BASE,
    ...extra,
  );
const storedLink = (url: string) =>
  new DynamoDbLinkStore({ client: world.clients.dynamodb, tableName: world.target.names.tableName }).get(
    cryptoLinkStates.hash(new URL(url).searchParams.get('state') ?? ''),
  );

describe('zoho-tokens link create', () => {
  it('stores a single-use state bound to the connection and prints the link as JSON', async () => {
    // Prepare
    await world.putClient();
    const before = Date.now();
    // Act
    const result = await runCli(linkCreate('link-json', '--json'));
    // Assess
    expect(result.code).toBe(0);
    const printed = result.json() as { url: string; expiresAt: string; connectionId: string };
    expect(Object.keys(printed).sort()).toEqual(['connectionId', 'expiresAt', 'url']);
    expect(printed.connectionId).toBe('link-json');
    expect(printed.url).toMatch(/^http:\/\/127\.0\.0\.1:8790\/connect\?state=[A-Za-z0-9_-]{43}$/);
    const link = await storedLink(printed.url);
    expect(link).toMatchObject({
      connectionId: 'link-json',
      clientRef: 'books',
      dc: 'custom',
      accountsServer: world.accountsServer('us'),
      scope: 'ZohoBooks.fullaccess.all',
      reauthorize: false,
    });
    expect(link?.usedAt).toBeUndefined();
    expect(Date.parse(printed.expiresAt)).toBe(link?.expiresAt);
    expect((link?.expiresAt ?? 0) - (link?.createdAt ?? 0)).toBe(30 * 60_000);
    expect(link?.createdAt).toBeGreaterThanOrEqual(before);
  });

  it('prints the bare link on stdout and the advice on stderr, with --expires-in and --reauthorize', async () => {
    // Prepare
    await world.seedConnection('link-active');
    // Act
    const result = await runCli(linkCreate('link-active', '--reauthorize', '--expires-in', '3d'));
    // Assess
    expect(result.code).toBe(0);
    const url = result.stdout.trim();
    expect(url.split('\n')).toHaveLength(1);
    expect(result.stderr).toContain("Send this link to the customer of 'link-active'");
    const link = await storedLink(url);
    expect(link?.reauthorize).toBe(true);
    expect((link?.expiresAt ?? 0) - (link?.createdAt ?? 0)).toBe(3 * 86_400_000);
  });

  it('refuses an active connection without --reauthorize', async () => {
    // Prepare
    await world.seedConnection('link-taken');
    // Act
    const result = await runCli(linkCreate('link-taken'));
    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("connection 'link-taken' is active: a link would be refused");
    expect(result.stdout).toBe('');
  });

  it.each([
    [['--expires-in', '10y'], '--expires-in must be a duration'],
    [['--expires-in', '8d'], '--expires-in must be a duration'],
    [['--dc', 'eu'], 'give exactly one of --dc or --accounts-server'],
  ])('refuses %j as a usage error', async (extra, message) => {
    // Act
    const result = await runCli(linkCreate('link-usage', ...extra));
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('needs a connect endpoint', async () => {
    // Act
    const result = await runCli(
      world.localCustom('link', 'create', '--id', 'link-nobase', '--client', 'books', '--dc', 'eu'),
    );
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no connect endpoint is known');
  });
});
