import 'aws-sdk-client-mock-vitest/extend';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ConnectionTokenNotFoundError } from '../../../functions/consumer/errors';
import {
  type ZohoContextValue,
  type ZohoLambdaContext,
  zohoTokenMiddleware,
} from '../../../functions/consumer/middleware';
import { createZohoClient } from '../../../functions/consumer/zoho-fetch';
import {
  authorizationOf,
  CONNECTION_ID,
  HOUR,
  json,
  RecordingClock,
  recordingFetch,
  T0,
  useConsumerWorld,
  zohoAccepting,
} from './fixtures';

const world = useConsumerWorld();
const { sm, eb } = world;

/** What Lambda passes; the middleware adds `zoho`, which middy's types already show on the parameter. */
const lambdaContext = (awsRequestId: string) =>
  ({ awsRequestId, functionName: 'books-report' }) as Context as ZohoLambdaContext;

describe('zohoTokenMiddleware', () => {
  const options = (fetch = recordingFetch(() => json(200, {})).fetch, clock?: RecordingClock) =>
    world.clientOptions(fetch, clock);

  it('puts the token and a fetch on context.zoho, reading the secret once across invocations', async () => {
    // Prepare
    const seen: ZohoContextValue[] = [];
    const handler = middy()
      .use(zohoTokenMiddleware(options()))
      .handler(async (_event, context) => {
        seen.push(context.zoho);
        return 'done';
      });

    // Act
    const results = [await handler({}, lambdaContext('req-1')), await handler({}, lambdaContext('req-2'))];

    // Assess
    expect(results).toEqual(['done', 'done']);
    expect(seen.map((zoho) => zoho.token.version)).toEqual([1, 1]);
    expect(seen[0]?.token.accessToken).toBe('1000.test-at-v1');
    expect(typeof seen[0]?.fetch).toBe('function');
    expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 1);
  });

  it("gives the handler a fetch whose rejection event carries the invocation's request id", async () => {
    // Prepare
    const { fetch, sent } = recordingFetch(zohoAccepting(2));
    const client = createZohoClient(options(fetch));
    const handler = middy()
      .use(zohoTokenMiddleware({ client }))
      .handler(async (_event, context) => (await context.zoho.fetch('/books/v3/organizations')).status);

    // Act
    const status = await handler({}, lambdaContext('req-42'));

    // Assess
    expect(status).toBe(200);
    expect(sent).toHaveLength(2);
    const detail = eb.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail;
    expect(JSON.parse(detail ?? '')).toEqual({
      connectionId: CONNECTION_ID,
      version: 1,
      status: 401,
      code: 57,
      requestId: 'req-42',
    });
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
  });

  it('lets an invocation with an expired token run: token shows it, fetch heals it, token then shows the new one', async () => {
    // Prepare: version 1 expired at T0 + 1 h, and the refresher has not stored version 2 yet
    const { fetch, sent } = recordingFetch(zohoAccepting(2));
    const seen: Array<{ version: number; expiresAt: number }> = [];
    const handler = middy()
      .use(zohoTokenMiddleware(options(fetch, new RecordingClock(T0 + HOUR))))
      .handler(async (_event, context) => {
        seen.push({ version: context.zoho.token.version, expiresAt: context.zoho.token.expiresAt });
        const response = await context.zoho.fetch('/books/v3/organizations');
        seen.push({ version: context.zoho.token.version, expiresAt: context.zoho.token.expiresAt });
        return response.status;
      });

    // Act
    const status = await handler({}, lambdaContext('req-7'));

    // Assess: the expired token never went to Zoho; its version was reported once, without a code
    expect(status).toBe(200);
    expect(seen).toEqual([
      { version: 1, expiresAt: T0 + HOUR },
      { version: 2, expiresAt: T0 + 2 * HOUR },
    ]);
    expect(sent.map((request) => request.authorization)).toEqual([authorizationOf(2)]);
    const detail = eb.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail;
    expect(JSON.parse(detail ?? '')).toEqual({
      connectionId: CONNECTION_ID,
      version: 1,
      status: 401,
      requestId: 'req-7',
    });
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 1);
  });

  it('still fails the invocation when the secret does not exist', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));
    const handler = middy()
      .use(zohoTokenMiddleware(options()))
      .handler(async () => 'never');

    // Act
    const error = await handler({}, lambdaContext('req-8')).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConnectionTokenNotFoundError);
    expect(eb).toReceiveCommandTimes(PutEventsCommand, 0);
  });
});
