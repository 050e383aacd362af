import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectCommand } from '../../../cli/commands/connect';
import { rescueRefreshToken } from '../../../cli/connect-rescue';
import { describeFailure } from '../../../cli/errors';
import { type Onboarding, prepareOnboarding, StoreOutcomeUnknownError } from '../../../cli/onboarding';
import { ConnectionAlreadyExistsError, ZohoTransientError } from '../../../functions/core/errors';
import { type FakeContextOptions, fakeContext } from './fake-context';

const NEW_TOKEN = '1000.test-rt-rescued';
const VALUES = { id: 'acme', client: 'books', dc: 'eu' };

const revokeFails = {
  revokeRefreshToken: async () => {
    throw new ZohoTransientError('HTTP 503');
  },
};
const revokes: string[] = [];
const revokeWorks = {
  revokeRefreshToken: async ({ refreshToken }: { refreshToken: string }) => {
    revokes.push(refreshToken);
  },
};

/** The context of a connect whose table write failed after the exchange, and its onboarding. */
async function failedConnect(
  options: FakeContextOptions,
): Promise<ReturnType<typeof fakeContext> & { onboarding: Onboarding }> {
  const run = fakeContext({ values: VALUES, ...options });
  return { ...run, onboarding: await prepareOnboarding(run.ctx, connectCommand) };
}

const made: string[] = [];
afterEach(async () => {
  revokes.length = 0;
  for (const path of made.splice(0)) await rm(path, { recursive: true, force: true });
});

/** A new, empty directory. */
async function directory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zoho-tokens-cwd-'));
  made.push(dir);
  return dir;
}

describe('connect, when storing fails after the code was exchanged', () => {
  it('says the outcome is unknown when the checking read failed too, and names status and revoke', async () => {
    // Prepare
    const run = await failedConnect({ zoho: revokeWorks });
    const cause = new StoreOutcomeUnknownError(
      'acme',
      new Error('write timed out'),
      new Error('read timed out'),
    );

    // Act
    const error = await rescueRefreshToken(run.ctx, run.onboarding, NEW_TOKEN, cause);

    // Assess
    expect(revokes).toEqual([NEW_TOKEN]);
    expect(error.message).toBe(
      "the grant code was exchanged, but storing connection 'acme' failed: unexpected Error: write timed out. Whether it was stored anyway is unknown: reading it back failed too (unexpected Error: read timed out). The new refresh token was revoked at Zoho",
    );
    expect(error.hint).toContain("'zoho-tokens status acme' shows whether it was stored");
    expect(error.hint).toContain("'zoho-tokens revoke acme' it");
  });

  it('says nothing was left behind when it knows nothing was stored and the token is revoked', async () => {
    // Prepare
    const run = await failedConnect({ zoho: revokeWorks });

    // Act
    const error = await rescueRefreshToken(
      run.ctx,
      run.onboarding,
      NEW_TOKEN,
      new ConnectionAlreadyExistsError('acme'),
    );

    // Assess
    expect(error.message).toContain('The new refresh token was revoked at Zoho, so nothing was left behind');
    expect(run.stderr()).toBe('');
  });

  it('prints the token on stderr when stderr is a terminal and Zoho cannot revoke it', async () => {
    // Prepare
    const cwd = await directory();
    const run = await failedConnect({ zoho: revokeFails, stderrIsTTY: true, cwd });

    // Act
    const error = await rescueRefreshToken(run.ctx, run.onboarding, NEW_TOKEN, new Error('boom'));

    // Assess
    expect(run.stderr().match(/^1000\.test-rt-\S*$/gm)).toEqual([NEW_TOKEN]);
    expect(run.stderr()).toContain('zoho-tokens add --id acme --client books --dc eu --refresh-token -');
    expect(error.message).toContain('it is printed above on stderr');
    expect(run.stdout()).toBe('');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('writes the token to a new file of mode 0600 when stderr is not a terminal, and prints only its path', async () => {
    // Prepare: stderr is a CI log
    const cwd = await directory();
    const run = await failedConnect({ zoho: revokeFails, cwd });

    // Act
    const error = await rescueRefreshToken(run.ctx, run.onboarding, NEW_TOKEN, new Error('boom'));

    // Assess
    const files = await readdir(cwd);
    expect(files).toHaveLength(1);
    const path = join(cwd, files[0] ?? '');
    expect(await readFile(path, 'utf8')).toBe(`${NEW_TOKEN}\n`);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(run.stderr()).toContain(
      `zoho-tokens add --id acme --client books --dc eu --refresh-token - < ${path}`,
    );
    expect(run.stderr()).not.toContain('test-rt-');
    expect(error.message).toContain(`it was written to ${path} (mode 0600)`);
    expect(describeFailure(error).exitCode).toBe(1);
  });

  it('falls back to the temporary directory when the current one cannot take the file', async () => {
    // Prepare
    const missing = join(await directory(), 'gone');
    const run = await failedConnect({ zoho: revokeFails, cwd: missing });

    // Act
    const error = await rescueRefreshToken(run.ctx, run.onboarding, NEW_TOKEN, new Error('boom'));

    // Assess
    const path = /written to (\S+) \(mode 0600\)/.exec(error.message)?.[1] ?? '';
    made.push(path);
    expect(path.startsWith(join(tmpdir(), 'zoho-refresh-token-acme-'))).toBe(true);
    expect(await readFile(path, 'utf8')).toBe(`${NEW_TOKEN}\n`);
    expect(run.stderr()).not.toContain('test-rt-');
  });
});
