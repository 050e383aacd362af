import { afterEach, describe, expect, it } from 'vitest';
import type { TokenFault } from '../../../dev/zoho-simulator';
import type { ConnectionStatus } from '../../../functions/core/connection';
import { useEngineWorld } from './world';

// Short, so the `hang` cases take three quick timeouts; the simulator answers in milliseconds.
const world = useEngineWorld({ zohoTimeoutMs: 300 });

const THROTTLE_WINDOW_MS = 10 * 60_000;
/** First transient failure: 30 s base, times (0.75 + random/2) with the world's fixed random of 0.5. */
const FIRST_BACKOFF_MS = 30_000;

interface Case {
  readonly fault: TokenFault;
  readonly kind: 'permanent' | 'throttled' | 'transient' | 'malformed';
  readonly status: ConnectionStatus;
  readonly code: string;
  readonly outcome: string;
}

const permanent = (fault: TokenFault, status: ConnectionStatus, code: string, outcome: string): Case => ({
  fault,
  kind: 'permanent',
  status,
  code,
  outcome,
});
const throttled = (fault: TokenFault): Case => ({
  fault,
  kind: 'throttled',
  status: 'active',
  code: 'throttled',
  outcome: 'throttled',
});
const transient = (fault: TokenFault, code: string): Case => ({
  fault,
  kind: 'transient',
  status: 'active',
  code,
  outcome: 'transient_error',
});

/** A success body we cannot trust: not retried, and Zoho not asked again for a whole budget window. */
const malformed = (fault: TokenFault): Case => ({
  fault,
  kind: 'malformed',
  status: 'active',
  code: 'malformed_response',
  outcome: 'transient_error',
});

const CASES: readonly Case[] = [
  permanent(
    'invalid_code',
    'reauthorization_required',
    'reauthorization_required',
    'reauthorization_required',
  ),
  permanent(
    'invalid_token',
    'reauthorization_required',
    'reauthorization_required',
    'reauthorization_required',
  ),
  permanent('invalid_client', 'misconfigured', 'misconfigured_client', 'misconfigured'),
  permanent('invalid_client_secret', 'misconfigured', 'misconfigured_client', 'misconfigured'),
  throttled('throttle-old-400'),
  throttled('throttle-old-200'),
  throttled('throttle-new'),
  throttled('throttle-localised'),
  throttled('too_many_requests'),
  throttled('too_many_requests-429'),
  transient('http-500', 'transient'),
  transient('http-502', 'transient'),
  transient('http-503', 'transient'),
  transient('html-error', 'transient'),
  transient('half-json', 'transient'),
  transient('empty-200', 'transient'),
  transient('hang', 'timeout'),
  transient('reset', 'network_error'),
  malformed('success-without-expires-in'),
  malformed('success-expires-in-string'),
  malformed('success-foreign-api-domain'),
  malformed('success-tiny-expires-in'),
  malformed('success-expires-in-fraction'),
  malformed('success-token-with-whitespace'),
];

/**
 * Zoho calls of one refresh: permanent, throttled and malformed answers are final, transient ones use
 * every attempt.
 */
const CALLS = { permanent: 1, throttled: 1, transient: 3, malformed: 1 } as const;

// Each case sweeps: connections of earlier cases must not be on the schedule any more.
afterEach(async () => {
  const w = world();
  w.sim.faults.clear();
  for (const id of await w.scheduledIds()) await w.ports.store.setStatus(id, 'disabled');
});

describe('every Zoho error leaves the connection in its documented state and the secret untouched', () => {
  it.each(CASES)('$fault → $status, $code', async ({ fault, kind, status, code, outcome }) => {
    // Prepare: a connection refreshed once (version 1), then due again
    const w = world();
    const id = `fault-${fault}`;
    const { refreshToken } = await w.addConnection(id, 'us');
    await w.sweep();
    const before = (await w.ports.store.get(id)) ?? expect.fail('no connection');
    const secretBefore = await w.readSecret(id);
    expect(before.version).toBe(1);
    w.clock.advance(before.refreshDueAt - w.clock.now() + 1_000);
    const callsBefore = w.sim.calls.tokenCallsFor(refreshToken);
    w.sim.faults.set('token', fault);

    // Act: the scheduled function runs while Zoho answers with the fault
    const sweep = await w.sweep();

    // Assess
    const failedAt = w.clock.now();
    expect(sweep).toMatchObject({ attempted: 1, failed: 1, refreshed: 0 });
    expect(w.sim.calls.tokenCallsFor(refreshToken) - callsBefore).toBe(CALLS[kind]);
    const after = (await w.ports.store.get(id)) ?? expect.fail('no connection');
    expect(after).toMatchObject({
      status,
      version: 1,
      expiresAt: before.expiresAt,
      consecutiveFailures: kind === 'throttled' ? 0 : 1,
      lastError: { code, at: failedAt },
    });
    expect(after.lease).toBeUndefined();
    const retryAt = {
      permanent: failedAt,
      throttled: failedAt + THROTTLE_WINDOW_MS,
      transient: failedAt + FIRST_BACKOFF_MS,
      malformed: failedAt + THROTTLE_WINDOW_MS,
    }[kind];
    expect(after.refreshDueAt).toBe(retryAt);
    expect(after.refreshDueAt).not.toBe(before.refreshDueAt);
    // A permanent error takes the connection off the due index; the others keep it scheduled.
    const scheduled = await w.scheduledIds();
    expect(scheduled.includes(id)).toBe(kind !== 'permanent');
    expect(await w.readSecret(id)).toEqual(secretBefore);
    const [last] = await w.ports.store.listHistory(id, 1);
    expect(last).toMatchObject({ outcome, errorCode: code, version: 1, zohoCalls: CALLS[kind] });
  });

  it('a transient error that clears within the lease costs one extra call and no failure', async () => {
    // Prepare
    const w = world();
    const id = 'transient-once';
    const { refreshToken } = await w.addConnection(id, 'us');
    w.sim.faults.queue('token', 'http-500');

    // Act
    const sweep = await w.sweep();

    // Assess
    expect(sweep).toMatchObject({ refreshed: 1, failed: 0 });
    expect(w.sim.calls.tokenCallsFor(refreshToken)).toBe(2);
    expect(await w.ports.store.get(id)).toMatchObject({ version: 1, consecutiveFailures: 0 });
    const [last] = await w.ports.store.listHistory(id, 1);
    expect(last).toMatchObject({ outcome: 'refreshed', zohoCalls: 2 });
  });
});
