/**
 * Reports bound to connections, end to end: what a consumer granted one connection can publish
 * (its own source) travels the bus rule and the queue to the on-demand handler, and a detail naming
 * another connection refreshes nothing.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { drainRejectedEvents } from '../../../dev/emulator/drain';
import { createTokenRejectedHandler } from '../../../functions/on-demand-refresh/token-rejected-handler';
import { useEngineWorld } from '../engine/world';
import { connectAtVersion1 } from './consumer-container';

const world = useEngineWorld();
const FORGED = 5;

describe("a report under one connection's source naming another", () => {
  it('reaches the on-demand handler and is refused as forged: no Zoho call, no new secret version', async () => {
    // Prepare: A's consumer may publish under A's source only; B is the target.
    const w = world();
    const tokenA = await connectAtVersion1(w, 'bound-a');
    const tokenB = await connectAtVersion1(w, 'bound-b');
    const callsBefore = [w.sim.calls.tokenCallsFor(tokenA), w.sim.calls.tokenCallsFor(tokenB)];
    const forgedBefore = w.metrics.sum('InvalidEvent', 'forged_report');

    // Act
    const put = await w.clients.eventBridge.send(
      new PutEventsCommand({
        Entries: Array.from({ length: FORGED }, () => ({
          EventBusName: w.resources.eventBusName,
          Source: 'zoho-token-refresher.consumer.bound-a',
          DetailType: 'Zoho Token Rejected',
          Detail: JSON.stringify({ connectionId: 'bound-b', version: 1, status: 401 }),
        })),
      }),
    );
    const drained = await drainRejectedEvents({
      target: { local: true },
      clients: w.clients,
      handler: createTokenRejectedHandler(w.deps),
      queueUrl: w.resources.rejectedQueueUrl,
    });

    // Assess
    expect(put.FailedEntryCount).toBe(0);
    expect(drained).toEqual({ delivered: FORGED, refreshed: 0, skipped: 0, rejected: FORGED, failed: 0 });
    expect(w.metrics.sum('InvalidEvent', 'forged_report') - forgedBefore).toBe(FORGED);
    expect([w.sim.calls.tokenCallsFor(tokenA), w.sim.calls.tokenCallsFor(tokenB)]).toEqual(callsBefore);
    for (const id of ['bound-a', 'bound-b']) {
      const secret = await w.readSecret(id);
      expect([secret?.value.version, secret?.versionCount]).toEqual([1, 1]);
      expect((await w.ports.store.get(id))?.version).toBe(1);
    }
  });
});
