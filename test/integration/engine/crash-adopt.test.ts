import { describe, expect, it } from 'vitest';
import type { ConnectionStore } from '../../../functions/core/ports';
import { useEngineWorld } from './world';

const world = useEngineWorld();

class SimulatedCrash extends Error {
  constructor() {
    super('simulated crash between the secret write and the commit');
    this.name = 'SimulatedCrash';
  }
}

/**
 * The real DynamoDB store, whose next commit fails. With `dies`, the process "dies" there: every
 * later write of that attempt fails too, so nothing more reaches the table and the lease stays held.
 */
function storeWhoseCommitFailsOnce(real: ConnectionStore, dies: boolean) {
  let armed = true;
  let dead = false;
  const store: ConnectionStore = {
    get: (id) => real.get(id),
    create: (connection) => real.create(connection),
    acquireLease: (seen, lease, now, marks) => real.acquireLease(seen, lease, now, marks),
    extendLease: (id, owner, until, now) => real.extendLease(id, owner, until, now),
    recordFreshRejection: (id, at) => real.recordFreshRejection(id, at),
    recordZohoCall: (id, owner, calls, until, now) => real.recordZohoCall(id, owner, calls, until, now),
    async commitRefresh(id, owner, commit, now) {
      if (!armed) return real.commitRefresh(id, owner, commit, now);
      armed = false;
      dead = dies;
      throw new SimulatedCrash();
    },
    async recordFailure(id, owner, failure, now) {
      if (dead) throw new SimulatedCrash();
      return real.recordFailure(id, owner, failure, now);
    },
    releaseLease: (id, owner, now) => real.releaseLease(id, owner, now),
    listDue: (dueBy, limit, notBefore) => real.listDue(dueBy, limit, notBefore),
    listRetrying: (limit) => real.listRetrying(limit),
    listNeedingOperator: (limit) => real.listNeedingOperator(limit),
    listAll: () => real.listAll(),
    setStatus: (id, status, changes) => real.setStatus(id, status, changes),
    async appendHistory(entry) {
      if (dead) throw new SimulatedCrash();
      return real.appendHistory(entry);
    },
    listHistory: (id, limit) => real.listHistory(id, limit),
  };
  return store;
}

describe('a crash between the secret write and the commit', () => {
  it('when the commit fails: the next run adopts the written secret without calling Zoho', async () => {
    // Prepare
    const w = world();
    const id = 'commit-fails';
    const { refreshToken } = await w.addConnection(id, 'us');
    const failing = w.depsWith({ store: storeWhoseCommitFailsOnce(w.ports.store, false) });

    // Act: the refresh writes version 1 to the secret, then its commit fails
    const first = await w.sweep(failing);

    // Assess: the secret is ahead of the table, the failure is recorded as transient
    expect(first).toMatchObject({ attempted: 1, failed: 1 });
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    const written = (await w.ports.vault.read(id)) ?? expect.fail('the secret was not written');
    expect(written.version).toBe(1);
    expect(await w.ports.store.get(id)).toMatchObject({
      version: 0,
      status: 'active',
      consecutiveFailures: 1,
      refreshDueAt: w.clock.now() + 30_000,
      lastError: { code: 'internal' },
    });

    // Act: the next sweep, once the backoff has passed
    w.clock.advance(30_000);
    const second = await w.sweep(failing);

    // Assess: adopted, not refreshed again
    expect(second).toMatchObject({ attempted: 1, refreshed: 1 });
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    expect(await w.ports.store.get(id)).toMatchObject({
      version: 1,
      expiresAt: written.expiresAt,
      consecutiveFailures: 0,
    });
    expect(await w.ports.vault.read(id)).toEqual(written);
    expect((await w.readSecret(id))?.versionCount).toBe(1);
    const history = await w.ports.store.listHistory(id, 10);
    expect(history.map((entry) => [entry.outcome, entry.version, entry.zohoCalls])).toEqual([
      ['adopted', 1, 0],
      ['transient_error', 0, 1],
    ]);
  });

  it('when the process dies: the lease holds until it expires, then an on-demand run adopts the secret', async () => {
    // Prepare: version 1 committed normally
    const w = world();
    const id = 'process-dies';
    const { refreshToken } = await w.addConnection(id, 'eu');
    await w.onDemand(id, 0);
    expect((await w.ports.store.get(id))?.version).toBe(1);
    const dying = w.depsWith({ store: storeWhoseCommitFailsOnce(w.ports.store, true) });
    const adoptionsBefore = w.metrics.sum('AdoptedAfterCrash');

    // Act: a consumer's 401 starts a refresh whose process dies after writing version 2
    await expect(w.onDemand(id, 1, dying)).rejects.toBeInstanceOf(SimulatedCrash);

    // Assess
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(2);
    const written = (await w.ports.vault.read(id)) ?? expect.fail('no secret');
    expect(written.version).toBe(2);
    const stuck = (await w.ports.store.get(id)) ?? expect.fail('no connection');
    expect(stuck.version).toBe(1);
    expect(stuck.lease?.until).toBe(w.clock.now() + w.deps.policy.leaseMs);

    // Act: another report while the dead run's lease still holds, then one after it expired
    const whileHeld = await w.onDemand(id, 1);
    w.clock.advance(w.deps.policy.leaseMs);
    const afterExpiry = await w.onDemand(id, 1);

    // Assess: no second Zoho call; version 2 as the dead run wrote it
    expect(whileHeld).toMatchObject({ outcome: 'skipped', reason: 'lease_held' });
    expect(afterExpiry).toMatchObject({ outcome: 'adopted', version: 2, expiresAt: written.expiresAt });
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(2);
    const adopted = (await w.ports.store.get(id)) ?? expect.fail('no connection');
    expect(adopted).toMatchObject({ version: 2, expiresAt: written.expiresAt });
    expect(adopted.lease).toBeUndefined();
    expect(await w.ports.vault.read(id)).toEqual(written);
    expect(w.metrics.sum('AdoptedAfterCrash') - adoptionsBefore).toBe(1);
  });
});
