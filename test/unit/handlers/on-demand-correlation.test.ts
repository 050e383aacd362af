/**
 * The on-demand function's log lines of one report carry the report's EventBridge event id and the
 * consumer's request id, and only that report's: lines of the next report, or of one running at the
 * same time on the same ports, never carry another report's ids.
 */
import { describe, expect, it } from 'vitest';
import { JsonLog } from '../../../functions/aws/json-log';
import { ZohoTransientError } from '../../../functions/core/errors';
import { createTokenRejectedHandler } from '../../../functions/on-demand-refresh/token-rejected-handler';
import { addConnection, createFakeWorld, type FakeWorld } from '../../support/fakes';
import { capturedOutput } from '../../support/log-capture';

/** A report as the bus delivers it: `id` is the event's, `requestId` the consumer's. */
const report = (connectionId: string, id: unknown, detail: Record<string, unknown>) => ({
  version: '0',
  id,
  source: `zoho-token-refresher.consumer.${connectionId}`,
  'detail-type': 'Zoho Token Rejected',
  account: '123456789012',
  time: '2026-11-26T08:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { status: 401, ...detail },
});

/** The ids each line carries: undefined where it carries none. */
const idsOf = (world: FakeWorld) =>
  world.log.lines.map((line) => ({
    message: line.message,
    eventId: line.attributes?.eventId,
    consumerRequestId: line.attributes?.consumerRequestId,
  }));

describe('on-demand handler log correlation', () => {
  it("puts the report's event id and request id on every line of its refresh, and not on the next report's", async () => {
    // Prepare: the first refresh retries Zoho once (two lines), the second is a plain one
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', version: 2 });
    world.zoho.script.push(new ZohoTransientError('HTTP 503'));
    const handler = createTokenRejectedHandler(world);

    // Act
    await handler(report('acme', 'evt-1', { version: 2, requestId: 'req-1' }));
    const linesOfFirst = world.log.lines.length;
    await handler(report('acme', 'evt-2', { version: 3 }));

    // Assess
    expect(world.zoho.refreshCalls).toBe(3);
    expect(idsOf(world)).toEqual([
      {
        message: 'Zoho token request failed transiently; retrying inside the lease',
        eventId: 'evt-1',
        consumerRequestId: 'req-1',
      },
      { message: 'Token refreshed', eventId: 'evt-1', consumerRequestId: 'req-1' },
      { message: 'Token refreshed', eventId: 'evt-2', consumerRequestId: undefined },
    ]);
    expect(linesOfFirst).toBe(2);
    expect(world.log.lines[2]?.attributes).not.toHaveProperty('consumerRequestId');
  });

  it('keeps the ids of two reports apart while both run at once on the same ports', async () => {
    // Prepare
    const world = createFakeWorld();
    await addConnection(world, { connectionId: 'acme', version: 1 });
    await addConnection(world, { connectionId: 'beta', version: 1 });
    const handler = createTokenRejectedHandler(world);

    // Act
    await Promise.all([
      handler(report('acme', 'evt-a', { version: 1, requestId: 'req-a' })),
      handler(report('beta', 'evt-b', { version: 1, requestId: 'req-b' })),
    ]);

    // Assess
    expect(world.zoho.refreshCalls).toBe(2);
    const lines = world.log.lines.map((line) => line.attributes ?? {});
    expect(lines).toHaveLength(2);
    expect(lines).toContainEqual(
      expect.objectContaining({ connectionId: 'acme', eventId: 'evt-a', consumerRequestId: 'req-a' }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ connectionId: 'beta', eventId: 'evt-b', consumerRequestId: 'req-b' }),
    );
  });

  it("puts the ids on a refused report's line too, leaving out a request id the contract refuses", async () => {
    // Prepare
    const world = createFakeWorld();
    const handler = createTokenRejectedHandler(world);

    // Act
    await handler(report('ghost', 'evt-g', { version: 1, requestId: 'req-g' }));
    await handler(report('ghost', 'evt-h', { version: 1, requestId: 'r'.repeat(201) }));

    // Assess
    expect(idsOf(world)).toEqual([
      { message: 'Refused an on-demand request', eventId: 'evt-g', consumerRequestId: 'req-g' },
      { message: 'Refused an on-demand request', eventId: 'evt-h', consumerRequestId: undefined },
    ]);
    expect(world.log.lines.map((line) => line.attributes?.errorCode)).toEqual([
      'connection_not_found',
      'invalid_input',
    ]);
  });
});

describe('on-demand handler log correlation, as the function logs', () => {
  it("writes the ids into the function's JSON log line", async () => {
    // Prepare: the function's own logger as the Log port, as handler.ts wires it
    const world = createFakeWorld();
    const handler = createTokenRejectedHandler({
      ...world,
      log: new JsonLog({ service: 'zoho-token-refresher' }),
    });
    const before = capturedOutput.length;

    // Act
    await handler(report('ghost', 'evt-json', { version: 1, requestId: 'req-json' }));

    // Assess
    const lines = capturedOutput
      .slice(before)
      .filter((text) => text.includes('Refused an on-demand request'))
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'ERROR',
      message: 'Refused an on-demand request',
      eventId: 'evt-json',
      consumerRequestId: 'req-json',
      errorCode: 'connection_not_found',
    });
  });
});
