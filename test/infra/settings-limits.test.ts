/**
 * The functions (cold-start configuration) and the construct (props) check the same limits
 * (functions/aws/settings.ts), so a stack can never deploy a value its functions refuse.
 */
import { Duration } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { AWS_CALL_WORST_CASE_MS } from '../../functions/aws/client-config';
import { readRefresherConfig } from '../../functions/aws/config';
import { ENV } from '../../functions/aws/names';
import { AWS_CALLS_HEADROOM_MS, refreshWorstCaseMs } from '../../functions/aws/refresher';
import {
  type LimitedSetting,
  REFRESH_WORKER_BATCH_SIZE,
  SETTING_LIMITS,
  type SettingLimit,
} from '../../functions/aws/settings';
import { ConfigurationError } from '../../functions/core/errors';
import { DEFAULT_REFRESH_POLICY, retryDelay } from '../../functions/core/refresh-policy';
import { REVOKE_LEASE_WAIT_MS } from '../../functions/core/revoke-connection';
import { writeIntervalMs } from '../../functions/core/write-pacer';
import { REFRESH_WORST_CASE_SECONDS } from '../../infra/refresh-fleet';
import { refresherEnvironment, ZOHO_TIMEOUT_MS } from '../../infra/refresher-environment';
import {
  type ResolvedRefresherProps,
  resolveRefresherProps,
  type ZohoTokenRefresherProps,
} from '../../infra/refresher-props';
import { logicalId, refresherStack, synthesizedRefresher } from './infra-support';

const REQUIRED_ENV = {
  [ENV.tableName]: 'zoho-token-refresher',
  [ENV.secretPrefix]: 'zoho-token-refresher',
  [ENV.keyId]: 'alias/zoho-token-refresher',
  [ENV.eventBusName]: 'zoho-token-refresher',
};

/** How the construct takes a setting, reads it back resolved, and the lowest value it accepts. */
interface AsProp {
  readonly props: (value: number) => ZohoTokenRefresherProps;
  readonly resolved: (settings: ResolvedRefresherProps) => number;
  readonly lowest: number;
  /** A Duration cannot be negative (CDK refuses it itself): no prop below a lower bound of 0. */
  readonly nothingBelowZero?: true;
}

/** Every limited setting; `undefined`: not a prop (the construct fixes the value, tested below). */
const AS_PROPS: Record<LimitedSetting, AsProp | undefined> = {
  // Stricter where the construct knows more: above the 1-minute planner + 5-minute cache + jitter.
  refreshMarginSeconds: {
    props: (value) => ({ refreshJitter: Duration.seconds(0), refreshMargin: Duration.seconds(value) }),
    resolved: (settings) => settings.refreshMargin.toSeconds(),
    lowest: 6 * 60 + 1,
  },
  refreshJitterSeconds: {
    props: (value) => ({ refreshJitter: Duration.seconds(value), refreshMargin: Duration.minutes(20) }),
    resolved: (settings) => settings.refreshJitter.toSeconds(),
    lowest: 0,
    nothingBelowZero: true,
  },
  zohoBudget: {
    props: (value) => ({ zohoBudget: value }),
    resolved: (settings) => settings.zohoBudget,
    lowest: SETTING_LIMITS.zohoBudget.min,
  },
  secretWritesPerSecond: {
    props: (value) => ({ secretWritesPerSecond: value }),
    resolved: (settings) => settings.secretWritesPerSecond,
    lowest: SETTING_LIMITS.secretWritesPerSecond.min,
  },
  // Derived from secretWritesPerSecond (tested below); the CLI's in-process sweep only.
  refreshWorkerConcurrency: undefined,
  sweepConcurrency: undefined,
  zohoTimeoutMs: undefined,
};

const LIMITS = Object.entries(SETTING_LIMITS) as Array<[LimitedSetting, SettingLimit]>;
const PROP_LIMITS = LIMITS.flatMap(([setting, limit]) => {
  const asProp = AS_PROPS[setting];
  return asProp === undefined ? [] : [[setting, limit, asProp] as const];
});

const functionReads = (setting: LimitedSetting, value: number) => () =>
  readRefresherConfig({ ...REQUIRED_ENV, [ENV[setting]]: String(value) })[setting];
const constructResolves = (props: ZohoTokenRefresherProps) => () => resolveRefresherProps(props);

describe.each(LIMITS)('the functions, on the shared limit of %s', (setting, limit) => {
  it('accept both bounds and refuse just outside them', () => {
    // Act + Assess
    expect([functionReads(setting, limit.min)(), functionReads(setting, limit.max)()]).toEqual([
      limit.min,
      limit.max,
    ]);
    expect(functionReads(setting, limit.min - 1)).toThrow(ConfigurationError);
    expect(functionReads(setting, limit.max + 1)).toThrow(ConfigurationError);
  });
});

describe.each(PROP_LIMITS)('the construct, on the shared limit of %s', (_setting, limit, asProp) => {
  it('accepts nothing the functions refuse', () => {
    // Act + Assess
    expect(asProp.lowest).toBeGreaterThanOrEqual(limit.min);
    if (!asProp.nothingBelowZero) {
      expect(constructResolves(asProp.props(limit.min - 1))).toThrow(ConfigurationError);
    }
    expect(constructResolves(asProp.props(limit.max + 1))).toThrow(ConfigurationError);
    if (!asProp.nothingBelowZero) {
      expect(constructResolves(asProp.props(asProp.lowest - 1))).toThrow(ConfigurationError);
    }
  });

  it('accepts its lowest value and the upper bound', () => {
    // Act
    const settings = [asProp.lowest, limit.max].map((value) => resolveRefresherProps(asProp.props(value)));

    // Assess
    expect(settings.map(asProp.resolved)).toEqual([asProp.lowest, limit.max]);
  });
});

describe('what the construct decides alone', () => {
  it('sets the Zoho timeout within the functions’ limit', () => {
    expect(ZOHO_TIMEOUT_MS).toBeGreaterThanOrEqual(SETTING_LIMITS.zohoTimeoutMs.min);
    expect(ZOHO_TIMEOUT_MS).toBeLessThanOrEqual(SETTING_LIMITS.zohoTimeoutMs.max);
  });

  it('derives a worker concurrency within the functions’ limit for every write limit it accepts', () => {
    // Act
    const { min, max } = SETTING_LIMITS.secretWritesPerSecond;
    const derived = Array.from({ length: max - min + 1 }, (_, i) =>
      resolveRefresherProps({ secretWritesPerSecond: min + i }),
    );

    // Assess: within the limit, and never more writes than the limit (each worker paced)
    for (const settings of derived) {
      const limit = SETTING_LIMITS.refreshWorkerConcurrency;
      expect(settings.refreshWorkerConcurrency).toBeGreaterThanOrEqual(limit.min);
      expect(settings.refreshWorkerConcurrency).toBeLessThanOrEqual(limit.max);
      const perWorker =
        1000 / writeIntervalMs(settings.secretWritesPerSecond, settings.refreshWorkerConcurrency);
      expect(settings.refreshWorkerConcurrency * perWorker).toBeLessThanOrEqual(
        settings.secretWritesPerSecond,
      );
    }
  });
});

describe('the largest Zoho timeout the functions accept', () => {
  it("fits one refresh's worst case (every attempt timing out) into the refreshers' timeouts", () => {
    // Prepare
    const { refresher, template } = synthesizedRefresher();
    const timeoutMs = (fn: IConstruct) =>
      (template.toJSON().Resources[logicalId(fn)].Properties.Timeout as number) * 1000;
    // The longest backoff between attempts: `random` just below 1.
    const policy = { ...DEFAULT_REFRESH_POLICY, random: () => 0.999_999 };
    const pauses = (attempts: number) =>
      Array.from({ length: attempts - 1 }, (_, i) => retryDelay(i + 1, policy)).reduce((a, b) => a + b, 0);
    const config = readRefresherConfig({
      ...REQUIRED_ENV,
      [ENV.zohoTimeoutMs]: String(SETTING_LIMITS.zohoTimeoutMs.max),
    });

    // Act: every Zoho attempt and every secret-write attempt runs into its timeout.
    const worstRefreshMs =
      policy.maxAttempts * config.zohoTimeoutMs +
      pauses(policy.maxAttempts) +
      policy.secretWriteAttempts * AWS_CALL_WORST_CASE_MS +
      pauses(policy.secretWriteAttempts) +
      AWS_CALLS_HEADROOM_MS;

    // Assess
    expect(refreshWorstCaseMs(config)).toBe(worstRefreshMs);
    expect(Math.ceil(worstRefreshMs / 1000)).toBe(REFRESH_WORST_CASE_SECONDS);
    expect([
      timeoutMs(refresher.onDemandFunction),
      timeoutMs(refresher.operatorFunction),
      timeoutMs(refresher.refreshWorkerFunction),
    ]).toEqual([60_000, 60_000, 60_000]);
    expect(worstRefreshMs).toBeLessThanOrEqual(timeoutMs(refresher.onDemandFunction));
    expect(worstRefreshMs).toBeLessThanOrEqual(timeoutMs(refresher.operatorFunction));
    // A worker's batch: its refreshes side by side, their ten writes spaced by the pacer.
    const pacingMs =
      REFRESH_WORKER_BATCH_SIZE *
      writeIntervalMs(refresher.settings.secretWritesPerSecond, refresher.settings.refreshWorkerConcurrency);
    expect(worstRefreshMs + pacingMs).toBeLessThanOrEqual(timeoutMs(refresher.refreshWorkerFunction));
  });

  it('gives the slowest write limit (1 per second: writes 2 s apart) a worker timeout that fits its batch', () => {
    // Prepare
    const { refresher, template } = synthesizedRefresher({ secretWritesPerSecond: 1 });
    const timeout = template.toJSON().Resources[logicalId(refresher.refreshWorkerFunction)].Properties
      .Timeout as number;

    // Assess: 47 s + 10 × 2 s + 8 s headroom
    expect(timeout).toBe(75);
  });

  it("fits a revoke's worst case (the whole wait for a refresh's lease, then one Zoho call) into the operator function's timeout", () => {
    // Prepare
    const { refresher, template } = synthesizedRefresher();
    const timeoutMs = (fn: IConstruct) =>
      (template.toJSON().Resources[logicalId(fn)].Properties.Timeout as number) * 1000;

    // Act
    const worstRevokeMs = REVOKE_LEASE_WAIT_MS + SETTING_LIMITS.zohoTimeoutMs.max;

    // Assess
    expect(worstRevokeMs + AWS_CALLS_HEADROOM_MS).toBeLessThanOrEqual(timeoutMs(refresher.operatorFunction));
  });
});

describe('the environment the construct writes', () => {
  it.each<[string, ZohoTokenRefresherProps]>([
    ['the defaults', {}],
    [
      'every bound and option',
      {
        refreshMargin: Duration.seconds(SETTING_LIMITS.refreshMarginSeconds.max),
        refreshJitter: Duration.seconds(SETTING_LIMITS.refreshJitterSeconds.max),
        zohoBudget: SETTING_LIMITS.zohoBudget.min,
        secretWritesPerSecond: SETTING_LIMITS.secretWritesPerSecond.max,
        secretPrefix: 'team-a/zoho_tokens.v2',
        allowedAccountsServers: ['https://accounts.example.com/'],
      },
    ],
  ])('is read back by the functions unchanged: %s', (_case, props) => {
    // Prepare
    const { refresher } = refresherStack(props);

    // Act
    const config = readRefresherConfig(refresherEnvironment(refresher.settings, refresher));

    // Assess
    expect(config).toMatchObject({
      secretPrefix: refresher.settings.secretPrefix,
      refreshMarginSeconds: refresher.settings.refreshMargin.toSeconds(),
      refreshJitterSeconds: refresher.settings.refreshJitter.toSeconds(),
      zohoBudget: refresher.settings.zohoBudget,
      secretWritesPerSecond: refresher.settings.secretWritesPerSecond,
      refreshWorkerConcurrency: refresher.settings.refreshWorkerConcurrency,
      zohoTimeoutMs: ZOHO_TIMEOUT_MS,
      allowedAccountsServers: refresher.settings.allowedAccountsServers,
    });
  });
});
