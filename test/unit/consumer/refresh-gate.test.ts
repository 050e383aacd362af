import { describe, expect, it, vi } from 'vitest';
import { TokenRefreshTimeoutError } from '../../../functions/consumer/errors';
import { createRefreshGate, PERMISSION_FAILED_MEMORY } from '../../../functions/consumer/refresh-gate';
import type { TokenRejectedDetail } from '../../../functions/consumer/rejection-reporter';
import type { TokenReader } from '../../../functions/consumer/token-reader';
import { createZohoClient } from '../../../functions/consumer/zoho-fetch';
import { ConfigurationError } from '../../../functions/core/errors';
import { BUS, CONNECTION_ID, RecordingClock, recordingFetch, T0 } from './fixtures';

/** A reader whose every wait times out: the gate is tested without any AWS mock. */
function timingOutReader(): TokenReader {
  return {
    getToken: vi.fn(async () => Promise.reject(new Error('no token'))),
    waitForNewerThan: vi.fn(async (version: number) =>
      Promise.reject(new TokenRefreshTimeoutError(CONNECTION_ID, version, 1_000)),
    ),
    invalidate: vi.fn(),
    peek: vi.fn(() => undefined),
  };
}

function gate(reader: TokenReader, clock = new RecordingClock()) {
  const report = vi.fn(async (_detail: TokenRejectedDetail) => undefined);
  const refreshGate = createRefreshGate({
    connectionId: CONNECTION_ID,
    reader,
    reporter: { report },
    wait: { timeoutMs: 1_000 },
    failFastMs: 60_000,
    clock,
  });
  return { refreshGate, report, clock };
}

describe('createRefreshGate', () => {
  it(`remembers the newest ${PERMISSION_FAILED_MEMORY} permission-failed versions and forgets older ones`, () => {
    // Prepare
    const { refreshGate } = gate(timingOutReader());

    // Act
    for (let version = 1; version <= 100; version += 1) refreshGate.markPermissionFailed(version);
    refreshGate.markPermissionFailed(100);

    // Assess
    const remembered = Array.from({ length: 100 }, (_, i) => i + 1).filter(refreshGate.isPermissionFailed);
    expect(remembered).toEqual([93, 94, 95, 96, 97, 98, 99, 100]);
  });

  it('keeps a fail-fast window per version: a timed-out version 1 does not stop a wait for version 2', async () => {
    // Prepare: the wait for a version newer than 1 timed out
    const reader = timingOutReader();
    const { refreshGate, report } = gate(reader);
    await refreshGate.newerThan({ version: 1, reason: 'rejected' }).catch(() => undefined);

    // Act
    const one = await refreshGate.newerThan({ version: 1, reason: 'rejected' }).catch((e: unknown) => e);
    const two = await refreshGate.newerThan({ version: 2, reason: 'expired' }).catch((e: unknown) => e);

    // Assess
    expect(one).toMatchObject({ version: 1, failedFast: true });
    expect(two).toMatchObject({ version: 2, failedFast: false, reason: 'expired', retryAt: T0 + 60_000 });
    expect(report.mock.calls.map(([detail]) => detail.version)).toEqual([1, 2]);
    expect(reader.waitForNewerThan).toHaveBeenCalledTimes(2);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses waitForRefresh.failFastMs %s',
    (failFastMs) => {
      // Act
      const build = () =>
        createZohoClient({
          connectionId: CONNECTION_ID,
          eventBusName: BUS,
          fetch: recordingFetch(() => new Response()).fetch,
          tokenReader: timingOutReader(),
          waitForRefresh: { failFastMs },
        });

      // Assess
      expect(build).toThrow(ConfigurationError);
      expect(build).toThrow('waitForRefresh.failFastMs must be a non-negative number');
    },
  );
});
