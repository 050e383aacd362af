import { describe, expect, it } from 'vitest';
import { resolveSandboxSettings } from '../../../cli/sandbox/options';
import { sandboxPolicy } from '../../../cli/sandbox/refresher';
import { renderTable } from '../../../cli/sandbox/view';
import type { Connection } from '../../../functions/core/connection';
import { ConfigurationError } from '../../../functions/core/errors';
import { DEFAULT_REFRESH_POLICY, nextRefreshDue } from '../../../functions/core/refresh-policy';

describe('resolveSandboxSettings', () => {
  it('simulates Zoho with 60 s tokens when no credentials are given', () => {
    // Act
    const settings = resolveSandboxSettings({ env: {} });

    // Assess
    expect(settings).toEqual({
      zoho: { kind: 'simulator', tokenLifetimeSeconds: 60, expireEveryMs: 20_000 },
      sweepIntervalMs: 10_000,
      consumerIntervalMs: 3_000,
      drainIntervalMs: 1_000,
    });
  });

  it('uses the real Zoho when the environment holds credentials, the flags winning over it', () => {
    // Act
    const settings = resolveSandboxSettings({
      env: {
        ZOHO_CLIENT_ID: '1000.ENV',
        ZOHO_CLIENT_SECRET: 'test-cs-env',
        ZOHO_REFRESH_TOKEN: '1000.test-rt-env',
        ZOHO_DC: 'EU',
      },
      clientId: '1000.FLAG',
      durationSeconds: 30,
    });

    // Assess
    expect(settings.zoho).toEqual({
      kind: 'real',
      dc: 'eu',
      credentials: { clientId: '1000.FLAG', clientSecret: 'test-cs-env', refreshToken: '1000.test-rt-env' },
    });
    expect(settings.durationMs).toBe(30_000);
  });

  it('refuses partial credentials and names what is missing, never a value', () => {
    // Act
    const attempt = () => resolveSandboxSettings({ env: { ZOHO_CLIENT_SECRET: 'test-cs-partial' } });

    // Assess
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/needs --client-id, --refresh-token/);
    expect(attempt).not.toThrow(/test-cs-/);
  });

  it('needs credentials for an accounts server that is already running', () => {
    expect(() => resolveSandboxSettings({ env: {}, zohoAccounts: 'http://127.0.0.1:9' })).toThrow(
      /--zoho-accounts needs --client-id, --client-secret, --refresh-token/,
    );
  });

  it('refuses a duration outside its range', () => {
    expect(() => resolveSandboxSettings({ env: {}, durationSeconds: 0 })).toThrow(/duration must be from 1/);
  });
});

describe('sandboxPolicy', () => {
  it("keeps the default policy for Zoho's one-hour tokens", () => {
    expect(sandboxPolicy(3600)).toBe(DEFAULT_REFRESH_POLICY);
  });

  it('refreshes 60 s tokens at half their life, with the budget window shrunk 60 times', () => {
    // Prepare
    const policy = sandboxPolicy(60);
    const now = 1_000_000;

    // Act
    const due = nextRefreshDue(now + 60_000, now, { ...policy, random: () => 0 });

    // Assess
    expect(due).toBe(now + 30_000);
    expect(policy).toMatchObject({
      marginMs: 30_000,
      jitterMs: 3_000,
      budget: 9,
      budgetWindowMs: 10_000,
      failureBackoffBaseMs: 1_000,
      failureBackoffMaxMs: 10_000,
    });
  });
});

describe('renderTable', () => {
  it('aligns one row per connection under the headers', () => {
    // Prepare
    const now = Date.UTC(2026, 10, 26, 8, 0, 0);
    const connection = {
      connectionId: 'demo-us',
      dc: 'us',
      status: 'active',
      version: 3,
      expiresAt: now + 42_000,
      refreshedAt: now - 18_000,
    } as Connection;

    // Act
    const lines = renderTable(
      [
        connection,
        {
          ...connection,
          connectionId: 'demo-eu',
          dc: 'eu',
          version: 0,
          expiresAt: 0,
          refreshedAt: undefined,
        } as Connection,
      ],
      new Map([['demo-us', 3]]),
      now,
    );

    // Assess
    expect(lines).toEqual([
      'connection  dc  status  version  expires in  last refresh  zoho calls',
      'demo-us     us  active  3        42s         18s ago       3',
      'demo-eu     eu  active  0        -           -             0',
    ]);
  });
});
