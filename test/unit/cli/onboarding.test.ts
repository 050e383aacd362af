import { describe, expect, it, vi } from 'vitest';
import { addCommand } from '../../../cli/commands/add';
import { enableCommand } from '../../../cli/commands/enable';
import { describeFailure, OperationError } from '../../../cli/errors';
import { prepareOnboarding, StoreOutcomeUnknownError, storeRefreshToken } from '../../../cli/onboarding';
import { type Connection, type ConnectionStatus, newConnection } from '../../../functions/core/connection';
import { ConnectionChangedError } from '../../../functions/core/errors';
import { FakeCipher, InMemoryConnectionStore } from '../../support/fakes';
import { fakeContext } from './fake-context';

const ADD_VALUES = { id: 'acme', client: 'books', dc: 'us' };
const OLD_TOKEN = '1000.test-rt-old';
const NEW_TOKEN = '1000.test-rt-new';

/** A store holding connection 'acme' in `status`, with its refresh token unless `token` is ''. */
async function storeWith(status: ConnectionStatus, overrides: Partial<Connection> = {}) {
  const store = new InMemoryConnectionStore();
  const connection: Connection = {
    ...newConnection(
      {
        connectionId: 'acme',
        dc: 'us',
        accountsServer: 'https://accounts.zoho.com',
        apiDomain: 'https://www.zohoapis.com',
        clientRef: 'books',
        encryptedRefreshToken: await new FakeCipher().encrypt('acme', OLD_TOKEN),
      },
      1_000,
    ),
    status,
    recentZohoCalls: [100, 200, 300, 400, 500],
    ...overrides,
  };
  await store.create(connection);
  return { store, connection };
}

describe('add and connect on an existing connection', () => {
  it.each(['misconfigured', 'disabled'] as const)(
    'refuse a %s one that still holds its refresh token, before anything is read or spent, and point to enable',
    async (status) => {
      // Prepare
      const { store, connection } = await storeWith(status);
      const run = fakeContext({ values: ADD_VALUES, store });
      const encrypt = vi.spyOn(run.cipher, 'encrypt');

      // Act
      const error = await prepareOnboarding(run.ctx, addCommand).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(OperationError);
      expect((error as OperationError).message).toContain(
        `'acme' is ${status} and still holds its refresh token`,
      );
      expect((error as OperationError).hint).toContain("'zoho-tokens enable acme' reactivates it");
      expect(run.credentials.gets).toBe(0);
      expect(encrypt).not.toHaveBeenCalled();
      expect(await store.get('acme')).toEqual(connection);
    },
  );

  it.each([
    ['revoked', {}],
    ['reauthorization_required', {}],
    ['misconfigured', { encryptedRefreshToken: '' }],
    // KMS refuses to decrypt it for this connection: nothing to revoke or reuse.
    ['misconfigured', { lastError: { code: 'refresh_token_cipher_refused', message: 'KMS refused', at: 1 } }],
  ] as const)(
    're-authorise a %s one %j (no token Zoho honours is left behind)',
    async (status, overrides) => {
      // Prepare
      const { store } = await storeWith(status, overrides);
      const run = fakeContext({ values: ADD_VALUES, store });

      // Act
      const onboarding = await prepareOnboarding(run.ctx, addCommand);

      // Assess
      expect(onboarding.existing?.status).toBe(status);
    },
  );

  it.each([
    ['add', undefined, []],
    ['connect', 4_242, [4_242]],
  ] as const)(
    'reset the Zoho budget on re-authorisation by %s, only if the status read is still current',
    async (_command, exchangedAt, calls) => {
      // Prepare
      const { store } = await storeWith('reauthorization_required');
      const run = fakeContext({ values: ADD_VALUES, store });
      const onboarding = await prepareOnboarding(run.ctx, addCommand);
      const setStatus = vi.spyOn(store, 'setStatus');

      // Act
      await storeRefreshToken(run.ctx, onboarding, NEW_TOKEN, exchangedAt);

      // Assess: the new token starts with its own calls only
      expect(setStatus).toHaveBeenCalledTimes(1);
      expect(setStatus.mock.calls[0]?.[2]).toMatchObject({
        expectedStatus: 'reauthorization_required',
        recentZohoCalls: calls,
      });
      const stored = await store.get('acme');
      expect(stored).toMatchObject({ status: 'active', recentZohoCalls: calls });
      expect(await run.cipher.decrypt('acme', stored?.encryptedRefreshToken ?? '')).toBe(NEW_TOKEN);
    },
  );

  it('write nothing when the connection changed after it was read, and say so with exit 1', async () => {
    // Prepare: another operator revokes it between the read and the write
    const { store } = await storeWith('reauthorization_required');
    const run = fakeContext({ values: ADD_VALUES, store });
    const onboarding = await prepareOnboarding(run.ctx, addCommand);
    await store.setStatus('acme', 'revoked', { encryptedRefreshToken: '' });

    // Act
    const error = await storeRefreshToken(run.ctx, onboarding, NEW_TOKEN).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ConnectionChangedError);
    expect(describeFailure(error)).toMatchObject({
      exitCode: 1,
      message: expect.stringContaining("Connection 'acme' is no longer reauthorization_required"),
      hint: expect.stringContaining('run the command again if it still applies'),
    });
    expect(await store.get('acme')).toMatchObject({ status: 'revoked', encryptedRefreshToken: '' });
  });

  it('say the outcome is unknown when the write fails and the read that would tell fails too', async () => {
    // Prepare
    const { store } = await storeWith('revoked', { encryptedRefreshToken: '' });
    const run = fakeContext({ values: ADD_VALUES, store });
    const onboarding = await prepareOnboarding(run.ctx, addCommand);
    vi.spyOn(store, 'setStatus').mockRejectedValueOnce(
      Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }),
    );
    vi.spyOn(store, 'get').mockRejectedValueOnce(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    );

    // Act
    const error = await storeRefreshToken(run.ctx, onboarding, NEW_TOKEN).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(StoreOutcomeUnknownError);
    const failure = describeFailure(error);
    expect(failure.exitCode).toBe(1);
    expect(failure.message).toBe(
      "storing connection 'acme' failed (cannot reach AWS (TimeoutError)), and reading it back failed too (cannot reach AWS (ECONNREFUSED)): whether it was stored is unknown",
    );
    expect(failure.hint).toContain("'zoho-tokens status acme' shows whether it is there");
  });
});

describe('zoho-tokens enable', () => {
  it('changes nothing when the connection was revoked between its read and its write', async () => {
    // Prepare: the revoke lands right after enable read the connection
    const { store } = await storeWith('misconfigured');
    const read = store.get.bind(store);
    vi.spyOn(store, 'get').mockImplementationOnce(async (id) => {
      const seen = await read(id);
      await store.setStatus(id, 'revoked', { encryptedRefreshToken: '' });
      return seen;
    });
    const setStatus = vi.spyOn(store, 'setStatus');
    const run = fakeContext({ positionals: ['acme'], store });

    // Act
    const error = await enableCommand.run(run.ctx).catch((caught: unknown) => caught);

    // Assess: refused by the store, so no refresh was attempted (the fake session would throw)
    expect(error).toBeInstanceOf(ConnectionChangedError);
    expect(describeFailure(error).exitCode).toBe(1);
    expect(setStatus.mock.calls.at(-1)?.[2]).toMatchObject({ expectedStatus: 'misconfigured' });
    expect(await store.get('acme')).toMatchObject({ status: 'revoked', encryptedRefreshToken: '' });
  });
});
