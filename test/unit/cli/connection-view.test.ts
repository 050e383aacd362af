import { describe, expect, it } from 'vitest';
import { viewOf } from '../../../cli/connection-view';
import { connection, NOW } from '../aws/fixtures';

const MIN = 60_000;

describe('what status and doctor say of an active connection', () => {
  it('names the likely causes when consumers got 401s on tokens that had not expired', () => {
    const view = viewOf(connection({ freshRejections: 12, lastFreshRejectionAt: NOW - 5 * MIN }), NOW);

    expect(view).toMatchObject({ health: 'warning', freshRejections: 12 });
    expect(view.problem).toContain('12 report(s)');
    expect(view.problem).toContain('scope');
    expect(view.problem).toContain('organization_id');
    expect(view.problem).toContain('data centre');
    expect(view.fix).toContain('https://www.zohoapis.eu');
  });

  it('forgets fresh 401s after a day', () => {
    const view = viewOf(connection({ freshRejections: 12, lastFreshRejectionAt: NOW - 25 * 60 * MIN }), NOW);

    expect(view.health).toBe('ok');
  });

  it('says a minted token is kept when the secret write failed', () => {
    const view = viewOf(
      connection({
        keptToken: { version: 8, expiresAt: NOW + 50 * MIN, ciphertext: 'AQID' },
        consecutiveFailures: 1,
        lastError: { code: 'secret_pending_deletion', message: '…', at: NOW - MIN },
      }),
      NOW,
    );

    expect(view).toMatchObject({ health: 'warning', keptTokenVersion: 8 });
    expect(view.problem).toContain('secret_pending_deletion');
    expect(view.problem).toContain('without calling Zoho');
    expect(JSON.stringify(view)).not.toContain('AQID');
  });

  it('says when the write budget holds refreshes back', () => {
    const writes = Array.from({ length: 72 }, (_, i) => NOW - i * 10 * MIN);
    const view = viewOf(
      connection({
        recentSecretWrites: writes,
        lastError: { code: 'secret_write_budget', message: '…', at: NOW },
      }),
      NOW,
    );

    expect(view).toMatchObject({ health: 'warning', secretWritesLastDay: 72 });
    expect(view.problem).toContain('72 versions in 24 hours');
  });
});
