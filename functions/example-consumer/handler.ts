/**
 * Example consumer: lists the Zoho Books organisations the connection can see. It shows the whole
 * integration: configuration read at cold start, the client built once per container, the
 * middleware handing `context.zoho.fetch` to a plain use-case function.
 */
import middy from '@middy/core';
import { createZohoClient, type ZohoFetch, ZohoTokenRefresherError, zohoTokenMiddleware } from '../consumer';
import { ConfigurationError } from '../core/errors';

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

/** Required settings, read once at cold start: a missing one fails the cold start, loudly. */
function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`environment variable ${name} is required`);
  }
  return value;
}

const zoho = createZohoClient({
  connectionId: requireEnv('CONNECTION_ID'),
  secretPrefix: requireEnv('SECRET_PREFIX'),
  eventBusName: requireEnv('EVENT_BUS_NAME'),
});

export const handler = middy()
  .use(zohoTokenMiddleware({ client: zoho }))
  .handler(async (_event, context) => ({ organizations: await listOrganizations(context.zoho.fetch) }));
