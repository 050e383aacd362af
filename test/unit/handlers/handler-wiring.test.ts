import { afterEach, describe, expect, it, vi } from 'vitest';

const validEnv = {
  TABLE_NAME: 'table',
  SECRET_PREFIX: 'zoho-token-refresher',
  REFRESH_TOKEN_KEY_ID: 'alias/key',
  EVENT_BUS_NAME: 'bus',
  AWS_REGION: 'us-east-1',
  REFRESH_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/refresh',
};

const HANDLERS = ['planner', 'refresh-worker', 'on-demand-refresh', 'operator', 'connect'];

describe('handler modules', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it.each(HANDLERS)('%s fails loudly at cold start without its settings', async (name) => {
    for (const [key] of Object.entries(validEnv)) vi.stubEnv(key, '');

    await expect(import(`../../../functions/${name}/handler.ts`)).rejects.toMatchObject({
      // resetModules gives each import its own classes: compare by name and code.
      name: 'ConfigurationError',
      code: 'configuration',
    });
  });

  it.each(HANDLERS)('%s exports a handler of (event, context) when configured', async (name) => {
    for (const [key, value] of Object.entries(validEnv)) vi.stubEnv(key, value);

    const module = await import(`../../../functions/${name}/handler.ts`);

    expect(typeof module.handler).toBe('function');
    expect(module.handler.length).toBe(2);
  });

  it.each(['planner', 'refresh-worker'])('%s refuses to start without its refresh queue', async (name) => {
    for (const [key, value] of Object.entries(validEnv)) vi.stubEnv(key, value);
    vi.stubEnv('REFRESH_QUEUE_URL', '');

    await expect(import(`../../../functions/${name}/handler.ts`)).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: 'REFRESH_QUEUE_URL is required but not set',
    });
  });
});
