/**
 * Random interleavings of sweeps, consumers' reports (held, stale, never issued), forged reports,
 * operator commands (refresh --force, revoke, disable, enable), faults in every port, crashes after
 * any write, bursts of concurrent triggers and the clock moving, against the model of
 * `interleavings.model.ts`. After every action the invariants hold (versions only grow, secrets are
 * contract tokens, the refresh token is never lost unless revoked, no secret in any output, Zoho
 * calls within 9 per 10 minutes, secret versions within the write budget, nothing after a revoke);
 * once the faults stop, every active connection heals.
 */
import fc from 'fast-check';
import { type Story, story } from './interleavings.actions';
import { createFleet, perform } from './interleavings.fleet';
import { heal, snapshot, spentWhereNotAllowed, unexpectedErrors } from './interleavings.model';
import { assertRuns, type ProofProperty } from './property';

async function storyKeepsTheInvariants({ starts, actions }: Story): Promise<void> {
  // Prepare
  const fleet = await createFleet(starts);
  const initially = fleet.checker.check();
  if (initially.length > 0) throw new Error(`before any action: ${initially.join('; ')}`);

  for (const [i, action] of actions.entries()) {
    // Act: one action, in a process of its own (a crash ends only that one)
    const before = snapshot(fleet);
    const since = { zoho: fleet.world.ledger.zohoCalls.length, versions: fleet.world.ledger.versions.length };
    const answers = await perform(fleet, action);
    fleet.world.faults.restart();

    // Assess
    const broken = [
      ...fleet.checker.check(answers),
      ...unexpectedErrors(answers),
      ...spentWhereNotAllowed(fleet, action, before, since),
    ];
    if (broken.length > 0)
      throw new Error(`after action ${i} (${JSON.stringify(action)}): ${broken.join('; ')}`);
  }
  const unhealed = await heal(fleet);
  if (unhealed.length > 0) throw new Error(`once the faults stopped: ${unhealed.join('; ')}`);
}

/** The refresher under random interleavings of everything that can happen to it. */
export function interleavingProperties(numRuns: number): readonly ProofProperty[] {
  assertRuns(numRuns);
  return [
    {
      name: 'interleavings: sweeps, reports, operators, faults and crashes keep every invariant and heal',
      numRuns,
      run: () => fc.assert(fc.asyncProperty(story, storyKeepsTheInvariants), { numRuns }),
    },
  ];
}
