/**
 * The `Zoho Reauthorization Required` event's link, followed to the end: the connection comes back.
 * Against moto and the simulator.
 */
import { describe, expect, it } from 'vitest';
import { tableReauthorizationLinks } from '../../../functions/aws/reauthorization-links';
import { refreshConnection } from '../../../functions/core/refresh-connection';
import { useEngineWorld } from '../engine/world';
import { BASE_URL, linkWorld } from './link-world';

const getWorld = useEngineWorld();

describe('the re-authorisation event', () => {
  it('carries a fresh link that brings the connection back', async () => {
    // Prepare
    const world = getWorld();
    const links = linkWorld(world);
    const reauthorizationLinks = tableReauthorizationLinks({
      baseUrl: BASE_URL,
      client: world.clients.dynamodb,
      tableName: world.config.tableName,
      clock: world.clock,
    });
    const deps = { ...world.deps, reauthorizationLinks };
    const { connection, refreshToken } = await world.addConnection('reauth-event', 'us');
    world.sim.revokeRefreshToken(refreshToken);
    await world.takeRefresherEvents();
    // Act
    const failed = await refreshConnection(deps, {
      connectionId: 'reauth-event',
      trigger: 'operator',
      force: true,
    });
    const events = await world.takeRefresherEvents();
    // Assess
    expect(failed).toMatchObject({ outcome: 'failed', status: 'reauthorization_required' });
    expect(events.map((event) => event.detailType)).toEqual(['Zoho Reauthorization Required']);
    const url = String(events[0]?.detail.reauthorizationUrl);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:8765\/connect\?state=[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(String(events[0]?.detail.reauthorizationUrlExpiresAt))).toBe(
      world.clock.now() + 72 * 60 * 60_000,
    );
    const state = new URL(url).searchParams.get('state') ?? '';
    const answer = await links.approvedCallback(state, 'us');
    expect(answer.statusCode).toBe(200);
    expect(await world.ports.store.get('reauth-event')).toMatchObject({
      status: 'active',
      version: connection.version + 1,
    });
  });
});
