import { GetSecretValueCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-run';
import { CLIENT_ID, useCliWorld } from './cli-world';

const world = useCliWorld();

async function storedApp(name: string): Promise<Record<string, unknown>> {
  const output = await world.clients.secretsManager.send(
    new GetSecretValueCommand({ SecretId: `zoho-token-refresher/_clients/${name}` }),
  );
  return JSON.parse(output.SecretString ?? '{}');
}

describe('zoho-tokens clients put', () => {
  it('stores a new client app with the secret read from stdin, and never prints the secret', async () => {
    // Act
    const result = await runCli(
      world.local('clients', 'put', '--client', 'books', '--client-id', CLIENT_ID, '--client-secret', '-'),
      {
        stdin: 'test-cs-from-stdin\n',
      },
    );

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Stored client app 'books' (client id ${CLIENT_ID})`);
    expect(result.stdout + result.stderr).not.toContain('test-cs-');
    expect(await storedApp('books')).toEqual({ client_id: CLIENT_ID, client_secret: 'test-cs-from-stdin' });
  });

  it('adds a per-DC secret to an existing app, keeping its id and default secret, as JSON', async () => {
    // Act
    const result = await runCli(
      world.local('clients', 'put', '--client', 'books', '--dc', 'EU', '--client-secret', '-', '--json'),
      {
        stdin: 'test-cs-eu-only',
      },
    );

    // Assess
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({
      client: 'books',
      clientId: CLIENT_ID,
      action: 'updated',
      secretName: 'zoho-token-refresher/_clients/books',
      dcSecrets: ['eu'],
    });
    expect(await storedApp('books')).toEqual({
      client_id: CLIENT_ID,
      client_secret: 'test-cs-from-stdin',
      client_secrets_by_dc: { eu: 'test-cs-eu-only' },
    });
  });

  it('rotates the default secret from ZOHO_CLIENT_SECRET and keeps the per-DC secrets', async () => {
    // Act
    const result = await runCli(world.local('clients', 'put', '--client', 'books'), {
      env: { ZOHO_CLIENT_SECRET: 'test-cs-rotated' },
    });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Updated client app 'books'");
    expect(await storedApp('books')).toEqual({
      client_id: CLIENT_ID,
      client_secret: 'test-cs-rotated',
      client_secrets_by_dc: { eu: 'test-cs-eu-only' },
    });
  });

  it('accepts a secret on the command line but warns about shell history', async () => {
    // Act
    const result = await runCli(
      world.local(
        'clients',
        'put',
        '--client',
        'crm',
        '--client-id',
        CLIENT_ID,
        '--client-secret',
        'test-cs-typed',
      ),
    );

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'warning: the client secret on the command line ends up in your shell history',
    );
    expect(result.stdout + result.stderr).not.toContain('test-cs-typed');
  });

  it.each([
    [['--client', 'x', '--client-id', 'id'], 'the client secret is missing'],
    [
      ['--client', 'new-app', '--client-secret', '-'],
      "--client-id is required for a new client app 'new-app'",
    ],
    [['--client', 'books', '--dc', 'mars', '--client-secret', '-'], 'unknown data centre "mars"'],
    [['--client-id', 'id', '--client-secret', '-'], '--client is required'],
    [['--client', '_bad', '--client-id', 'id', '--client-secret', '-'], 'client name must be'],
    [['--client', 'x', '--bogus'], 'unknown option "--bogus"'],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    // Act
    const result = await runCli(world.local('clients', 'put', ...args), { stdin: 'test-cs-unused' });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`zoho-tokens: `);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toMatch(/hint: /);
  });

  it.each(['access-token', 'Access-Token', 'access-token-eu'])(
    "refuses the reserved name '%s' before reading the secret, and stores nothing",
    async (name) => {
      // Act
      const result = await runCli(
        world.local('clients', 'put', '--client', name, '--client-id', CLIENT_ID, '--client-secret', '-'),
        // Nothing on stdin: had the secret been read first, that would be the complaint.
        { stdin: '' },
      );

      // Assess
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(
        `zoho-tokens: client name '${name}' is reserved: a client app's secret under a name starting with 'access-token' would match the consumers' access-token secret pattern; choose another name`,
      );
      await expect(storedApp(name)).rejects.toThrow(ResourceNotFoundException);
    },
  );

  it('exits 2 when --client-secret - reads nothing', async () => {
    // Act
    const result = await runCli(world.local('clients', 'put', '--client', 'books', '--client-secret', '-'), {
      stdin: '',
    });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--client-secret - read nothing from standard input');
  });
});
