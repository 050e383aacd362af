/**
 * The fleet simulation end to end on small fleets (test/bench/fleet): what its counts must be when
 * nothing fails, that the queue's duplicates cost no Zoho call (the lease makes them harmless), and
 * the queue's redelivery and dead-lettering.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fleetResult } from '../../bench/fleet/fleet-report';
import { type FleetScenario, fleetScenario } from '../../bench/fleet/fleet-scenario';
import { FleetWorld } from '../../bench/fleet/fleet-world';
import { productSettings } from '../../bench/fleet/product';
import { SimRandom } from '../../bench/fleet/random';
import { SimQueue } from '../../bench/fleet/sim-queue';
import { VirtualTime } from '../../bench/fleet/virtual-time';

const CONNECTIONS = 60;

// The settings come from the construct's synthesized template: seconds, once per file.
beforeAll(() => {
  productSettings(CONNECTIONS);
}, 120_000);

/** A small fleet for `hours` with nothing failing unless `overrides` says so. */
function quietScenario(hours: number, overrides: Partial<FleetScenario> = {}): FleetScenario {
  const base = fleetScenario(CONNECTIONS);
  return fleetScenario(CONNECTIONS, {
    hours,
    aws: { ...base.aws, faultRate: 0 },
    zoho: { ...base.zoho, faultRate: 0, tailShare: 0 },
    queue: { ...base.queue, duplicateRate: 0 },
    worker: { ...base.worker, crashRate: 0 },
    outage: { ...base.outage, minutes: 0 },
    revokedShare: 0,
    poisonConnections: 0,
    ...overrides,
  });
}

async function simulate(scenario: FleetScenario) {
  const world = new FleetWorld(scenario, productSettings(scenario.connections));
  const loop = await world.run(() => {});
  return { world, result: fleetResult(world, loop, 0) };
}

describe('a fleet where nothing fails', () => {
  it('refreshes every connection before expiry with 5 AWS calls and one Zoho call per refresh', async () => {
    // Prepare / Act: 60 connections for 4 hours.
    const { world, result } = await simulate(quietScenario(4));

    // Assess: every token refreshed on time, each refresh the normal path.
    expect(result.expiredSeconds).toBe(0);
    expect(result.refreshes).toBeGreaterThanOrEqual(CONNECTIONS * 4);
    expect(world.zoho.calls).toBe(result.refreshes);
    expect(world.zoho.grants).toBe(result.refreshes);
    // Whole cycles only: each connection's first commit ends one that began before the simulation.
    expect(world.callsHistogram[5]).toBe(result.refreshes - CONNECTIONS);
    expect(world.callsHistogram.reduce((sum, count) => sum + count, 0)).toBe(result.refreshes - CONNECTIONS);
    expect(result.awsCallsPerRefresh.median).toBe(5);
    expect(result.awsCallsPerRefresh.p99).toBe(5);
    const { 'secretsmanager.GetSecretValue': clientAppReads, ...perRefresh } = result.awsCallsByApi;
    expect(perRefresh).toEqual({
      'dynamodb.UpdateItem': 1,
      'dynamodb.TransactWriteItems': 1,
      'secretsmanager.PutSecretValue': 1,
      'kms.Decrypt': 1,
      'events.PutEvents': 1,
    });
    // No read of the access-token secret: only the client app's, once per warm container and 5 minutes.
    expect(clientAppReads).toBeLessThan(0.2);
    expect(world.secrets.versionsWritten).toBe(result.refreshes);
    expect(result.zoho.throttled).toBe(0);
    expect(result.queue.deadLetters).toBe(0);
  });
});

describe('revoked refresh tokens', () => {
  it('take their connections off the schedule after one rejected Zoho call each', async () => {
    // Prepare: a fifth of the refresh tokens revoked by their users at random times.
    const scenario = quietScenario(4, { revokedShare: 0.2 });

    // Act
    const { world, result } = await simulate(scenario);

    // Assess: every connection Zoho refused waits for an operator, after exactly one refused call.
    const waiting = Array.from({ length: CONNECTIONS }, (_, i) => world.table.at(i)).filter(
      (connection) => connection?.status === 'reauthorization_required',
    ).length;
    expect(waiting).toBeGreaterThan(0);
    expect(result.zoho.revokedRejections).toBe(waiting);
    expect(world.metrics.total('ReauthorizationRequired')).toBe(waiting);
    expect(result.expiredSeconds).toBe(0);
  });
});

describe('duplicate deliveries', () => {
  it('cost no Zoho call: every receive delivered twice, each duplicate loses the lease race', async () => {
    // Prepare: SQS delivers a second copy of every message it hands out.
    const base = quietScenario(3);
    const scenario = quietScenario(3, { queue: { ...base.queue, duplicateRate: 1 } });

    // Act
    const { world, result } = await simulate(scenario);

    // Assess: as many duplicates as originals, no extra Zoho call or secret version.
    expect(result.queue.duplicatesDelivered).toBeGreaterThanOrEqual(result.refreshes);
    expect(world.zoho.calls).toBe(result.refreshes);
    expect(world.secrets.versionsWritten).toBe(result.refreshes);
    const leaseHeld = world.metrics.total('RefreshSkipped', 'lease_held');
    const notDue = world.metrics.total('RefreshSkipped', 'not_due');
    expect(leaseHeld + notDue).toBe(result.queue.duplicatesDelivered);
    expect(result.expiredSeconds).toBe(0);
  });
});

describe('SimQueue', () => {
  it('delivers a message it is never told to delete maxReceiveCount times, then dead-letters it', async () => {
    // Prepare: visibility timeout 30 s, 3 receives.
    const time = new VirtualTime(Date.UTC(2026, 11, 1));
    const env = { time, random: new SimRandom(1), aws: fleetScenario(1).aws };
    const queue = new SimQueue<string>(env, {
      visibilityTimeoutMs: 30_000,
      maxReceiveCount: 3,
      duplicateRate: 0,
      duplicateDelayMaxMs: 0,
    });
    const receivedAt: number[] = [];
    queue.onVisible = () => {
      for (const _message of queue.receive(10)) receivedAt.push(time.now());
    };

    // Act: sent with a delay of 5 s, received and never deleted.
    queue.send('order', 5);
    await time.run(time.now() + 600_000);

    // Assess
    const start = Date.UTC(2026, 11, 1);
    expect(receivedAt.map((at) => at - start)).toEqual([5_000, 35_000, 65_000]);
    expect(queue.redeliveries).toBe(2);
    expect(queue.deadLetters).toBe(1);
    expect(queue.inQueue).toBe(0);
  });
});
