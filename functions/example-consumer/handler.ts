/**
 * Example consumer: lists the Zoho Books organisations the connection can see. It shows the whole
 * integration: a function bound by `bindConsumer` (no settings of its own), the client built once
 * per container at cold start, the middleware handing `context.zoho.fetch` to a plain use-case
 * function.
 */
import middy from '@middy/core';
import { createZohoClient, type ZohoFetch, ZohoTokenRefresherError, zohoTokenMiddleware } from '../consumer';

export interface Organization {
  readonly organizationId: string;
  readonly name: string;
}

/** Zoho Books answered something other than success (a 429 included: it is returned, not retried). */
export class BooksRequestError extends ZohoTokenRefresherError {
  readonly status: number;

  constructor(status: number, zohoCode: unknown) {
    super('books_request_failed', `Zoho Books answered HTTP ${status} (code ${String(zohoCode ?? 'none')})`);
    this.status = status;
  }
}

/** Use case: GET {api_domain}/books/v3/organizations. */
export async function listOrganizations(fetch: ZohoFetch): Promise<Organization[]> {
  const response = await fetch('/books/v3/organizations', { headers: { Accept: 'application/json' } });
  const body = (await response.json().catch(() => ({}))) as { code?: unknown; organizations?: unknown };
  if (!response.ok || body.code !== 0 || !Array.isArray(body.organizations)) {
    throw new BooksRequestError(response.status, body.code);
  }
  return body.organizations.map((org: { organization_id?: unknown; name?: unknown }) => ({
    organizationId: String(org.organization_id),
    name: String(org.name),
  }));
}

/**
 * Module scope: once per container. The function is bound with `bindConsumer(fn, connectionId)`,
 * whose environment variables name the connection, the secret prefix and the bus; a missing one
 * fails the cold start, loudly (ConfigurationError).
 */
const zoho = createZohoClient();

export const handler = middy()
  .use(zohoTokenMiddleware({ client: zoho }))
  .handler(async (_event, context) => ({ organizations: await listOrganizations(context.zoho.fetch) }));
