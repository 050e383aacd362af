import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../cli/errors';
import { describeSchedule, resolveSandboxSettings } from '../../../../dev/sandbox/options';
import { sandboxPolicy } from '../../../../dev/sandbox/refresher';
import { renderTable } from '../../../../dev/sandbox/view';
import type { Connection } from '../../../../functions/core/connection';
import { DEFAULT_REFRESH_POLICY, nextRefreshDue } from '../../../../functions/core/refresh-policy';

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
      realZoho: false,
    });
    expect(describeSchedule(settings)).toBe(
      'planner every 10 s; demo consumer every 3 s; simulated early expiry every 20 s',
    );
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

  describe('with the real Zoho, whose Books API quota is 1,000 to 10,000 calls a day', () => {
    const realEnv = {
      ZOHO_CLIENT_ID: '1000.ENV',
      ZOHO_CLIENT_SECRET: 'test-cs-env',
      ZOHO_REFRESH_TOKEN: '1000.test-rt-env',
    };

    it('turns the demo consumer and the early expiries off, and the header says so', () => {
      // Act
      const settings = resolveSandboxSettings({ env: realEnv });

      // Assess
      expect(settings.realZoho).toBe(true);
      expect(settings.consumerIntervalMs).toBeUndefined();
      expect(describeSchedule(settings)).toBe(
        "planner every 10 s; demo consumer OFF (real Zoho: every Books call spends the organisation's daily API quota; --consumer-interval 300 or more turns it on); early expiries OFF (only the simulator can expire tokens)",
      );
    });

    it('runs the demo consumer only when asked, at most every 5 minutes', () => {
      // Act
      const every5Minutes = resolveSandboxSettings({ env: realEnv, consumerIntervalSeconds: 300 });
      const every3Seconds = () => resolveSandboxSettings({ env: realEnv, consumerIntervalSeconds: 3 });

      // Assess
      expect(every5Minutes.consumerIntervalMs).toBe(300_000);
      expect(describeSchedule(every5Minutes)).toContain('demo consumer every 300 s');
      expect(every3Seconds).toThrow(UsageError);
      expect(every3Seconds).toThrow(
        '--consumer-interval must be from 300 to 86400 seconds with the real Zoho (got 3)',
      );
    });

    it('refuses the simulator-only options instead of ignoring them', () => {
      // Act
      const expiring = () => resolveSandboxSettings({ env: realEnv, expireEverySeconds: 20 });
      const lifetime = () => resolveSandboxSettings({ env: realEnv, tokenLifetimeSeconds: 60 });
      const never = resolveSandboxSettings({ env: realEnv, expireEverySeconds: 0 });

      // Assess
      expect(expiring).toThrow(/--expire-every works only with the simulated Zoho/);
      expect(lifetime).toThrow(/--token-lifetime works only with the simulated Zoho/);
      expect(never.zoho.kind).toBe('real');
    });

    it("treats --zoho-accounts naming one of Zoho's own accounts servers as the real Zoho", () => {
      // Act
      const zohoEu = resolveSandboxSettings({ env: realEnv, zohoAccounts: 'https://accounts.zoho.eu' });
      const local = resolveSandboxSettings({ env: realEnv, zohoAccounts: 'http://127.0.0.1:9' });

      // Assess
      expect([zohoEu.realZoho, zohoEu.consumerIntervalMs]).toEqual([true, undefined]);
      expect([local.realZoho, local.consumerIntervalMs]).toEqual([false, 3_000]);
    });
  });

  it('refuses partial credentials and names what is missing, never a value', () => {
    // Act
    const attempt = () => resolveSandboxSettings({ env: { ZOHO_CLIENT_SECRET: 'test-cs-partial' } });

    // Assess
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(/needs --client-id, --refresh-token/);
    expect(attempt).not.toThrow(/test-cs-/);
  });

  it('needs credentials for an accounts server that is already running', () => {
    expect(() => resolveSandboxSettings({ env: {}, zohoAccounts: 'http://127.0.0.1:9' })).toThrow(
      /--zoho-accounts needs --client-id, --client-secret, --refresh-token/,
    );
  });

  it.each([
    [{ durationSeconds: 0 }, '--duration must be from 1 to 86400 seconds (got 0)'],
    [{ tokenLifetimeSeconds: 5 }, '--token-lifetime must be from 10 to 3600 seconds (got 5)'],
    [{ expireEverySeconds: -1 }, '--expire-every must be from 0 (never) to 86400 seconds (got -1)'],
    [{ sweepIntervalSeconds: 0 }, '--sweep-interval must be from 0.1 to 3600 seconds (got 0)'],
    [{ consumerIntervalSeconds: 7200 }, '--consumer-interval must be from 0.1 to 3600 seconds (got 7200)'],
  ])('refuses %o as a usage error naming the option and its range', (option, message) => {
    // Act
    const attempt = () => resolveSandboxSettings({ env: {}, ...option });

    // Assess
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });

  it('refuses --dc where it has no effect, and a data centre Zoho does not have', () => {
    // Prepare
    const realEnv = {
      ZOHO_CLIENT_ID: '1000.ENV',
      ZOHO_CLIENT_SECRET: 'test-cs-env',
      ZOHO_REFRESH_TOKEN: '1000.test-rt-env',
    };

    // Act
    const simulated = () => resolveSandboxSettings({ env: {}, dc: 'eu' });
    const external = () =>
      resolveSandboxSettings({ env: realEnv, zohoAccounts: 'http://127.0.0.1:9', dc: 'eu' });
    const unknown = () => resolveSandboxSettings({ env: realEnv, dc: 'xx' });

    // Assess
    expect(simulated).toThrow(UsageError);
    expect(simulated).toThrow(
      '--dc works only with the real Zoho (with ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN): the simulated Zoho always runs one demo connection in us and one in eu',
    );
    expect(external).toThrow('--dc works only with the real Zoho: with --zoho-accounts');
    expect(unknown).toThrow(
      '--dc (or ZOHO_DC) must be one of Zoho\'s data centres: us, eu, in, au, jp, ca, sa, uk, cn (got "xx")',
    );
    expect(resolveSandboxSettings({ env: realEnv, dc: 'JP' }).zoho).toMatchObject({ kind: 'real', dc: 'jp' });
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
      // The write budget keeps its counts over windows 60 times shorter: a day of 24 minutes holds
      // the 48 scheduled refreshes of 60 s tokens, far from the 72 allowed.
      secretWritesPerDay: 72,
      writeBudgetDayMs: 24 * 60_000,
      writeBudgetHourMs: 60_000,
      freshReportWindowMs: 10_000,
      keptTokenMinLifeMs: 5_000,
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
