/**
 * The world of the `abuse` benchmark: one simulated hour of a fleet on the real core and in-memory
 * ports, with the schedule sweeping every 5 minutes, 50 containers of one connection whose every call
 * gets a permission-only 401 (each invocation reports the version it holds: the worst case, a
 * consumer without the library's memory of permission failures), and 1,000 forged reports for other
 * connections. Every event runs alone, in time order, so what each one cost is read off the ledger.
 */
import type { EpochMillis } from '../../functions/core/connection';
import { createTokenRejectedHandler } from '../../functions/on-demand-refresh/token-rejected-handler';
import { InvariantChecker } from '../fault-matrix/invariants';
import { createProofWorld, type ProofWorld } from '../fault-matrix/proof-world';
import { forgedEvent, reportEvent } from '../fault-matrix/report-events';
import { runScheduled } from '../support/scheduled-run';

const MIN = 60_000;
const HOUR = 60 * MIN;

export const NO_SCOPE = 'no-scope';
export const VICTIMS = Array.from({ length: 20 }, (_, i) => `victim-${i}`);
export const CONTAINERS = 50;
export const FORGED = 1_000;

/**
 * How a report for another connection can look once IAM binds each consumer to its own source:
 * the forger's source with the victim in the detail, or (through a principal that may report for
 * the victim) a version never issued, or a stale one.
 */
export const FORGED_KINDS = ['other_source', 'never_issued', 'stale'] as const;
export type ForgedKind = (typeof FORGED_KINDS)[number];

type Event =
  | { readonly at: EpochMillis; readonly kind: 'sweep' }
  | { readonly at: EpochMillis; readonly kind: 'container' }
  | {
      readonly at: EpochMillis;
      readonly kind: 'forged';
      readonly forged: ForgedKind;
      readonly victim: string;
    };

/** What one event cost: Zoho calls and secret versions per connection, and what the handler answered. */
export interface Spent {
  readonly zohoAt: Map<string, EpochMillis[]>;
  readonly versionsAt: Map<string, EpochMillis[]>;
  readonly answers: Map<string, number>;
}

export interface AbuseRun {
  readonly schedule: Spent;
  readonly containers: Spent;
  readonly forged: Record<ForgedKind, Spent>;
  readonly reportsSent: number;
  readonly forgedSent: Record<ForgedKind, number>;
  readonly violations: readonly string[];
  readonly world: ProofWorld;
}

const spent = (): Spent => ({ zohoAt: new Map(), versionsAt: new Map(), answers: new Map() });

/** A small seeded generator, so every run sends the same forged reports at the same times. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Every connection at version 1, its token minted within the last 45 minutes (due within the hour). */
async function fleet(): Promise<ProofWorld> {
  const world = createProofWorld();
  const now = world.fakes.clock.now();
  const ids = [NO_SCOPE, ...VICTIMS];
  for (const [i, connectionId] of ids.entries()) {
    const mintedAt = now - (i * 2 + 5) * MIN;
    await world.addConnection({
      connectionId,
      version: 1,
      refreshedAt: mintedAt,
      expiresAt: mintedAt + HOUR,
      refreshDueAt: mintedAt + HOUR - 15 * MIN,
      recentSecretWrites: [mintedAt],
    });
  }
  return world;
}

function events(start: EpochMillis, abuse: boolean): Event[] {
  const list: Event[] = [];
  for (let minute = 0; minute <= 60; minute += 5) list.push({ at: start + minute * MIN, kind: 'sweep' });
  if (!abuse) return list;
  for (let minute = 0; minute < 60; minute++) {
    for (let c = 0; c < CONTAINERS; c++)
      list.push({ at: start + minute * MIN + c * 1_200 + 1, kind: 'container' });
  }
  const random = seeded(9);
  for (let i = 0; i < FORGED; i++) {
    const victim = VICTIMS[Math.floor(random() * VICTIMS.length)] ?? 'victim-0';
    const forged = FORGED_KINDS[i % FORGED_KINDS.length] ?? 'other_source';
    list.push({ at: start + Math.floor(random() * HOUR), kind: 'forged', forged, victim });
  }
  return list.sort((a, b) => a.at - b.at);
}

const heldVersion = (world: ProofWorld, id: string) =>
  world.fakes.vault.versions.get(id)?.at(-1)?.version ?? 0;

async function eventOf(world: ProofWorld, event: Exclude<Event, { kind: 'sweep' }>) {
  if (event.kind === 'container') {
    return reportEvent({
      connectionId: NO_SCOPE,
      version: heldVersion(world, NO_SCOPE),
      status: 401,
      code: 57,
    });
  }
  const held = heldVersion(world, event.victim);
  if (event.forged === 'other_source') return forgedEvent(NO_SCOPE, event.victim, held);
  const version = event.forged === 'never_issued' ? held + 1 : Math.max(0, held - 1);
  return reportEvent({ connectionId: event.victim, version, status: 401, code: 57 });
}

/** Adds what the ledger recorded since `from` to `into`. */
function record(world: ProofWorld, from: { zoho: number; versions: number }, into: Spent, answer: string) {
  for (const call of world.ledger.zohoCalls.slice(from.zoho)) {
    into.zohoAt.set(call.connectionId, [...(into.zohoAt.get(call.connectionId) ?? []), call.at]);
  }
  for (const version of world.ledger.versions.slice(from.versions)) {
    into.versionsAt.set(version.connectionId, [
      ...(into.versionsAt.get(version.connectionId) ?? []),
      version.at,
    ]);
  }
  into.answers.set(answer, (into.answers.get(answer) ?? 0) + 1);
}

function describe(answer: unknown): string {
  const result = answer as { outcome?: string; reason?: string; errorCode?: string };
  if (result.outcome === 'skipped') return `skipped:${result.reason}`;
  if (result.outcome === 'failed') return `failed:${result.errorCode}`;
  return result.outcome ?? 'sweep';
}

/** One simulated hour: the schedule alone (`abuse` false) or with the containers and the forgers. */
export async function simulateHour(abuse: boolean): Promise<AbuseRun> {
  const world = await fleet();
  const clock = world.fakes.clock;
  const onDemand = createTokenRejectedHandler(world.deps('on_demand'));
  const schedule = spent();
  const containers = spent();
  const forged: Record<ForgedKind, Spent> = { other_source: spent(), never_issued: spent(), stale: spent() };
  const forgedSent: Record<ForgedKind, number> = { other_source: 0, never_issued: 0, stale: 0 };
  let reportsSent = 0;
  for (const event of events(clock.now(), abuse)) {
    clock.current = Math.max(clock.current, event.at);
    const from = { zoho: world.ledger.zohoCalls.length, versions: world.ledger.versions.length };
    if (event.kind === 'sweep') {
      const summary = await runScheduled(world.deps('scheduled'), { concurrency: 4 });
      record(world, from, schedule, `swept:${summary.refreshed}`);
      continue;
    }
    const answer = describe(await onDemand(await eventOf(world, event)));
    if (event.kind === 'container') {
      reportsSent++;
      record(world, from, containers, answer);
    } else {
      forgedSent[event.forged]++;
      record(world, from, forged[event.forged], answer);
    }
  }
  const violations = new InvariantChecker(world).check();
  return { schedule, containers, forged, reportsSent, forgedSent, violations, world };
}
