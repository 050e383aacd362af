/**
 * What can happen to a fleet, as data fast-check generates and shrinks: the clock moving, sweeps,
 * consumers' reports (of the version they hold, a stale one, one never issued), forged reports,
 * operator commands, faults armed in any port, crashes after any write, and bursts of concurrent
 * triggers.
 */
import fc from 'fast-check';
import type { PortName } from '../fault-matrix/faults';

export const IDS = ['c0', 'c1'] as const;
export type Id = (typeof IDS)[number];

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Which version a consumer reports: the secret's (what it holds), one before, one never issued. */
export type ReportedVersion = 'held' | 'stale' | 'unissued';

export type ZohoFault = 'transient' | 'throttled' | 'malformed' | 'reauthorization' | 'misconfigured';
export type VaultFault = 'throttled' | 'quota' | 'pending_deletion' | 'access_denied' | 'failed';

/** A trigger: what may also run concurrently with others in a burst. */
export type Trigger =
  | { readonly kind: 'sweep' }
  | { readonly kind: 'report'; readonly id: Id; readonly version: ReportedVersion }
  /** A consumer granted `publisher` reports `victim`'s held version. */
  | { readonly kind: 'forged'; readonly publisher: Id; readonly victim: Id }
  | { readonly kind: 'operator_refresh'; readonly id: Id }
  | { readonly kind: 'revoke'; readonly id: Id };

export type Action =
  | Trigger
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'disable'; readonly id: Id }
  /** `zoho-tokens enable`: back to active with the same refresh token, then a forced refresh. */
  | { readonly kind: 'enable'; readonly id: Id }
  | { readonly kind: 'zoho_fault'; readonly fault: ZohoFault; readonly times: number }
  | { readonly kind: 'vault_fault'; readonly fault: VaultFault; readonly times: number }
  | { readonly kind: 'store_fault'; readonly method: StoreMethod; readonly skip: number }
  | { readonly kind: 'cipher_fault'; readonly method: 'encrypt' | 'decrypt' }
  | { readonly kind: 'events_fault' }
  /** The process dies right after the next call of `port.method` took effect. */
  | { readonly kind: 'crash'; readonly port: PortName; readonly method: string }
  /** Triggers run concurrently, each starting after `delay` turns of the event loop (any point of another). */
  | { readonly kind: 'burst'; readonly triggers: readonly { trigger: Trigger; delay: number }[] }
  /** One trigger again and again, `gapMs` apart: what a report storm or an impatient operator does. */
  | { readonly kind: 'storm'; readonly trigger: Trigger; readonly count: number; readonly gapMs: number };

export const STORE_METHODS = [
  'get',
  'acquireLease',
  'recordZohoCall',
  'extendLease',
  'commitRefresh',
  'recordFailure',
  'listDue',
  'setStatus',
] as const;
export type StoreMethod = (typeof STORE_METHODS)[number];

/** The writes a crash may follow (and the Zoho answer, the one thing that is not ours). */
const CRASH_POINTS: readonly { port: PortName; method: string }[] = [
  { port: 'store', method: 'acquireLease' },
  { port: 'store', method: 'recordZohoCall' },
  { port: 'zoho', method: 'refreshAccessToken' },
  { port: 'vault', method: 'write' },
  { port: 'store', method: 'commitRefresh' },
  { port: 'store', method: 'recordFailure' },
  { port: 'store', method: 'setStatus' },
];

const id = fc.constantFrom(...IDS);

const trigger: fc.Arbitrary<Trigger> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'sweep' as const }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('report' as const),
      id,
      version: fc.constantFrom<ReportedVersion>('held', 'held', 'held', 'stale', 'unissued'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('forged' as const), publisher: id, victim: id }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('operator_refresh' as const), id }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke' as const), id }) },
);

const advance = fc.record({
  kind: fc.constant('advance' as const),
  ms: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1_000, max: 10 * MIN }) },
    { weight: 2, arbitrary: fc.integer({ min: 10 * MIN, max: 3 * HOUR }) },
  ),
});

const fault: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant('zoho_fault' as const),
    fault: fc.constantFrom<ZohoFault>(
      'transient',
      'transient',
      'throttled',
      'malformed',
      'reauthorization',
      'misconfigured',
    ),
    times: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    kind: fc.constant('vault_fault' as const),
    fault: fc.constantFrom<VaultFault>('throttled', 'quota', 'pending_deletion', 'access_denied', 'failed'),
    times: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    kind: fc.constant('store_fault' as const),
    method: fc.constantFrom(...STORE_METHODS),
    skip: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({
    kind: fc.constant('cipher_fault' as const),
    method: fc.constantFrom('encrypt' as const, 'decrypt' as const),
  }),
  fc.constant({ kind: 'events_fault' as const }),
  fc.constantFrom(...CRASH_POINTS).map(({ port, method }) => ({ kind: 'crash' as const, port, method })),
);

/** Triggers that repeat: reports and operator refreshes (a repeated revoke or sweep says nothing new). */
const repeatable: fc.Arbitrary<Trigger> = fc.oneof(
  fc.record({
    kind: fc.constant('report' as const),
    id,
    version: fc.constantFrom<ReportedVersion>('held', 'stale', 'unissued'),
  }),
  fc.record({ kind: fc.constant('forged' as const), publisher: id, victim: id }),
  fc.record({ kind: fc.constant('operator_refresh' as const), id }),
);

export const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: advance },
  { weight: 8, arbitrary: trigger },
  { weight: 3, arbitrary: fault },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('disable' as const), id }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('enable' as const), id }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('burst' as const),
      triggers: fc.array(fc.record({ trigger, delay: fc.integer({ min: 0, max: 16 }) }), {
        minLength: 2,
        maxLength: 4,
      }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('storm' as const),
      trigger: repeatable,
      count: fc.integer({ min: 5, max: 15 }),
      gapMs: fc.integer({ min: 10_000, max: 15 * MIN }),
    }),
  },
);

/** A connection's state when the story starts. */
export interface Start {
  /** 0: never refreshed (no secret yet). */
  readonly version: number;
  /** Minutes the current token has left (negative: already expired). */
  readonly minutesLeft: number;
}

export const start: fc.Arbitrary<Start> = fc.record({
  version: fc.integer({ min: 0, max: 5 }),
  minutesLeft: fc.integer({ min: -30, max: 60 }),
});

export const story = fc.record({
  starts: fc.tuple(start, start),
  actions: fc.array(action, { minLength: 1, maxLength: 40, size: 'medium' }),
});

export type Story = typeof story extends fc.Arbitrary<infer T> ? T : never;
