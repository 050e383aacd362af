import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ZohoFetch } from '../../../functions/consumer/zoho-fetch';
import { ConfigurationError } from '../../../functions/core/errors';
import { json } from './fixtures';

const HANDLER = '../../../functions/example-consumer/handler';

async function loadHandler(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return import(HANDLER) as Promise<typeof import('../../../functions/example-consumer/handler')>;
}

/** What bindConsumer(fn, 'acme-books') sets. */
const fullEnv = {
  ZOHO_TOKENS_CONNECTION_ID: 'acme-books',
  ZOHO_TOKENS_SECRET_PREFIX: 'zoho-token-refresher',
  ZOHO_TOKENS_EVENT_BUS_NAME: 'bus',
};

describe('example consumer', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each(['ZOHO_TOKENS_CONNECTION_ID', 'ZOHO_TOKENS_EVENT_BUS_NAME'])(
    'fails its cold start without %s',
    async (name) => {
      // Prepare
      const env = { ...fullEnv, [name]: undefined };

      // Act
      const error = await loadHandler(env).catch((e: unknown) => e);

      // Assess
      // Modules are reloaded per case, so the class is compared by name and code, not identity.
      expect(error).toMatchObject({ name: ConfigurationError.name, code: 'configuration' });
      expect((error as Error).message).toContain(name);
    },
  );

  it('lists the organisations from GET /books/v3/organizations', async () => {
    // Prepare
    const { listOrganizations } = await loadHandler(fullEnv);
    const requested: string[] = [];
    const fetch: ZohoFetch = async (path) => {
      requested.push(String(path));
      return json(200, {
        code: 0,
        message: 'success',
        organizations: [{ organization_id: '10234695', name: 'Zillium Inc', currency_code: 'EUR' }],
      });
    };

    // Act
    const organizations = await listOrganizations(fetch);

    // Assess
    expect(requested).toEqual(['/books/v3/organizations']);
    expect(organizations).toEqual([{ organizationId: '10234695', name: 'Zillium Inc' }]);
  });

  it('turns a non-success answer (a 429 included) into BooksRequestError', async () => {
    // Prepare
    const { listOrganizations, BooksRequestError } = await loadHandler(fullEnv);
    const fetch: ZohoFetch = async () => json(429, { code: 44, message: 'rate limit' });

    // Act
    const error = await listOrganizations(fetch).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(BooksRequestError);
    expect(error).toMatchObject({ status: 429 });
  });
});
