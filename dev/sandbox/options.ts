/**
 * The sandbox's options and the settings they resolve to: which AWS emulator, which Zoho (the
 * simulator, an accounts server already running, or the real one), and how fast time runs.
 */

import { UsageError } from '../../cli/errors';
import { isAllowedAccountsServer, ZOHO_DATA_CENTRES } from '../../functions/zoho/data-centres';

/**
 * Against the real Zoho every demo call spends the organisation's Books API quota (1,000 to 10,000
 * calls a day by plan; ZOHO.md §7): every 3 s would be 28,800 a day. So the demo consumer is off
 * unless asked for, and then calls at most every 5 minutes (288 a day).
 */
export const REAL_ZOHO_MIN_CONSUMER_INTERVAL_SECONDS = 300;

/** What each option in seconds accepts, from and to (inclusive), and its default. */
export const SECONDS_OPTIONS = {
  duration: { min: 1, max: 86_400 },
  'token-lifetime': { min: 10, max: 3600, fallback: 60 },
  'sweep-interval': { min: 0.1, max: 3600, fallback: 10 },
  'consumer-interval': { min: 0.1, max: 3600, fallback: 3 },
  'expire-every': { min: 0, max: 86_400, fallback: 20 },
} as const;

export type SecondsOption = keyof typeof SECONDS_OPTIONS;

/** `--expire-every must be from 0 (never) to 86400 seconds`: what the option accepts, in words. */
export function describeRange(flag: SecondsOption): string {
  const { min, max } = SECONDS_OPTIONS[flag];
  return `--${flag} must be from ${min}${flag === 'expire-every' ? ' (never)' : ''} to ${max} seconds`;
}

/** Where a mistake in the sandbox's options points the user. */
const SANDBOX_HELP = "see 'npm run local -- sandbox --help'";

/** Where the sandbox writes; a terminal gets a table redrawn in place. */
export interface SandboxOutput {
  write(text: string): unknown;
  readonly isTTY: boolean;
}

export interface SandboxOptions {
  /** An AWS API emulator already running; default: start moto. */
  readonly awsEndpoint?: string;
  /** @default LOCAL_DEFAULTS.region */
  readonly region?: string;
  /** A Zoho accounts server already running (needs the credentials below); default: the simulator. */
  readonly zohoAccounts?: string;
  /** Real (or external) Zoho credentials; default from ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN. */
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly refreshToken?: string;
  /** The data centre of the real credentials (real Zoho only); default ZOHO_DC or `us`. */
  readonly dc?: string;
  /**
   * Stop by itself this many seconds after the start-up (emulator, resources, Zoho, connections),
   * however long that took; default: run until SIGINT/SIGTERM.
   */
  readonly durationSeconds?: number;
  /** Lifetime of the simulator's access tokens. @default 60 */
  readonly tokenLifetimeSeconds?: number;
  /** How often the planner runs (then the worker takes what is due at once). @default 10 */
  readonly sweepIntervalSeconds?: number;
  /**
   * How often each demo consumer calls the Books API. @default 3; with the real Zoho the consumer is
   * off unless this is given, and it must be at least {@link REAL_ZOHO_MIN_CONSUMER_INTERVAL_SECONDS}.
   */
  readonly consumerIntervalSeconds?: number;
  /** How often the simulated Zoho expires a connection's tokens early (0: never; simulator only). @default 20 */
  readonly expireEverySeconds?: number;
  /** How often the refresh queue and the rejected-events queue are drained. @default 1 */
  readonly drainIntervalSeconds?: number;
  /**
   * Where the real-Zoho mode keeps the token requests of earlier runs (`zoho-calls.json`).
   * @default `.sandbox` at the project root
   */
  readonly stateDir?: string;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default process.stdout */
  readonly out?: SandboxOutput;
  /** Stops the sandbox when aborted. */
  readonly signal?: AbortSignal;
  /** Stop on SIGINT/SIGTERM. @default true */
  readonly handleSignals?: boolean;
}

/** Which Zoho the sandbox talks to. */
export type ZohoMode =
  | { readonly kind: 'simulator'; readonly tokenLifetimeSeconds: number; readonly expireEveryMs: number }
  | { readonly kind: 'external'; readonly accountsServer: string; readonly credentials: ZohoCredentials }
  | { readonly kind: 'real'; readonly dc: string; readonly credentials: ZohoCredentials };

export interface ZohoCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
}

export interface SandboxSettings {
  readonly awsEndpoint?: string;
  readonly region?: string;
  readonly zoho: ZohoMode;
  readonly durationMs?: number;
  readonly sweepIntervalMs: number;
  /** Absent: no demo consumer (the default against the real Zoho, to spare its API quota). */
  readonly consumerIntervalMs?: number;
  readonly drainIntervalMs: number;
  /** The real Zoho (credentials without an accounts server, or one of Zoho's own). */
  readonly realZoho: boolean;
}

/**
 * Resolves and checks the options; throws UsageError (exit 2) naming the first bad one, its flag and
 * what it accepts.
 */
export function resolveSandboxSettings(options: SandboxOptions): SandboxSettings {
  const env = options.env ?? process.env;
  const pick = (flag: string | undefined, variable: string) => nonEmpty(flag) ?? nonEmpty(env[variable]);
  const given = {
    clientId: pick(options.clientId, 'ZOHO_CLIENT_ID'),
    clientSecret: pick(options.clientSecret, 'ZOHO_CLIENT_SECRET'),
    refreshToken: pick(options.refreshToken, 'ZOHO_REFRESH_TOKEN'),
  };
  const anyGiven = Object.values(given).some((value) => value !== undefined);
  const missing = Object.entries(given)
    .filter(([, value]) => value === undefined)
    .map(([name]) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  const zohoAccounts = nonEmpty(options.zohoAccounts);
  if ((anyGiven || zohoAccounts !== undefined) && missing.length > 0) {
    throw new UsageError(
      `${zohoAccounts === undefined ? 'real Zoho' : '--zoho-accounts'} needs ${missing.join(', ')} (or ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN); without any of them the sandbox simulates Zoho`,
      SANDBOX_HELP,
    );
  }
  const credentials = given as ZohoCredentials;
  let zoho: ZohoMode;
  if (zohoAccounts !== undefined) zoho = { kind: 'external', accountsServer: zohoAccounts, credentials };
  else if (anyGiven) {
    zoho = { kind: 'real', dc: dataCentre(pick(options.dc, 'ZOHO_DC') ?? 'us'), credentials };
  } else {
    zoho = {
      kind: 'simulator',
      tokenLifetimeSeconds: seconds('token-lifetime', options.tokenLifetimeSeconds),
      expireEveryMs: seconds('expire-every', options.expireEverySeconds) * 1000,
    };
  }
  if (zoho.kind !== 'simulator') refuseSimulatorOnly(options);
  if (zoho.kind !== 'real') refuseRealOnly(options, zohoAccounts !== undefined);
  const realZoho =
    zoho.kind === 'real' || (zoho.kind === 'external' && isAllowedAccountsServer(zoho.accountsServer));
  const consumerIntervalMs = consumerInterval(options.consumerIntervalSeconds, realZoho);
  const duration = options.durationSeconds;
  return {
    ...(options.awsEndpoint === undefined ? {} : { awsEndpoint: options.awsEndpoint }),
    ...(options.region === undefined ? {} : { region: options.region }),
    zoho,
    ...(duration === undefined ? {} : { durationMs: seconds('duration', duration) * 1000 }),
    sweepIntervalMs: seconds('sweep-interval', options.sweepIntervalSeconds) * 1000,
    ...(consumerIntervalMs === undefined ? {} : { consumerIntervalMs }),
    drainIntervalMs: drainInterval(options.drainIntervalSeconds),
    realZoho,
  };
}

/** One line for the sandbox's header: what runs how often, and what is off and why. */
export function describeSchedule(settings: SandboxSettings): string {
  const parts = [`planner every ${settings.sweepIntervalMs / 1000} s`];
  if (settings.consumerIntervalMs !== undefined) {
    parts.push(`demo consumer every ${settings.consumerIntervalMs / 1000} s`);
  } else {
    parts.push(
      `demo consumer OFF (real Zoho: every Books call spends the organisation's daily API quota; --consumer-interval ${REAL_ZOHO_MIN_CONSUMER_INTERVAL_SECONDS} or more turns it on)`,
    );
  }
  if (settings.zoho.kind === 'simulator') {
    const every = settings.zoho.expireEveryMs;
    parts.push(every === 0 ? 'no early expiries' : `simulated early expiry every ${every / 1000} s`);
  } else {
    parts.push('early expiries OFF (only the simulator can expire tokens)');
  }
  return parts.join('; ');
}

/** What only the simulator can do is refused elsewhere, rather than silently ignored. */
function refuseSimulatorOnly(options: SandboxOptions): void {
  if (options.expireEverySeconds !== undefined && options.expireEverySeconds !== 0) {
    throw new UsageError(
      '--expire-every works only with the simulated Zoho: a real accounts server cannot be told to expire tokens early',
      SANDBOX_HELP,
    );
  }
  if (options.tokenLifetimeSeconds !== undefined) {
    throw new UsageError(
      '--token-lifetime works only with the simulated Zoho: a real accounts server decides how long its tokens live',
      SANDBOX_HELP,
    );
  }
}

/** `--dc` names the data centre of real credentials; the simulator runs both its own, us and eu. */
function refuseRealOnly(options: SandboxOptions, external: boolean): void {
  if (nonEmpty(options.dc) === undefined) return;
  throw new UsageError(
    external
      ? '--dc works only with the real Zoho: with --zoho-accounts the connection lives on that accounts server'
      : '--dc works only with the real Zoho (with ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN): the simulated Zoho always runs one demo connection in us and one in eu',
    SANDBOX_HELP,
  );
}

/** A data centre Zoho has (us, eu, in, …), lower-cased; refused before anything starts. */
function dataCentre(given: string): string {
  const dc = given.toLowerCase();
  const known = ZOHO_DATA_CENTRES.map((centre) => centre.dc);
  if (!known.includes(dc)) {
    throw new UsageError(
      `--dc (or ZOHO_DC) must be one of Zoho's data centres: ${known.join(', ')} (got ${JSON.stringify(dc.slice(0, 20))})`,
      SANDBOX_HELP,
    );
  }
  return dc;
}

function consumerInterval(given: number | undefined, realZoho: boolean): number | undefined {
  if (!realZoho) return seconds('consumer-interval', given) * 1000;
  if (given === undefined) return undefined;
  const min = REAL_ZOHO_MIN_CONSUMER_INTERVAL_SECONDS;
  const max = 86_400;
  if (outside(given, min, max)) {
    throw new UsageError(
      `--consumer-interval must be from ${min} to ${max} seconds with the real Zoho (got ${given}): every Books call spends the organisation's daily API quota`,
      SANDBOX_HELP,
    );
  }
  return given * 1000;
}

/** Not a CLI option (tests shorten it): how often the rejected-events queue is drained. */
function drainInterval(given: number | undefined): number {
  const chosen = given ?? 1;
  if (outside(chosen, 0.1, 3600)) {
    throw new UsageError(`drainIntervalSeconds must be from 0.1 to 3600 seconds (got ${chosen})`);
  }
  return chosen * 1000;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function seconds(flag: SecondsOption, value: number | undefined): number {
  const range: { min: number; max: number; fallback?: number } = SECONDS_OPTIONS[flag];
  const chosen = value ?? range.fallback;
  if (chosen === undefined) throw new UsageError(`--${flag} is required`, SANDBOX_HELP);
  if (outside(chosen, range.min, range.max)) {
    throw new UsageError(`${describeRange(flag)} (got ${chosen})`, SANDBOX_HELP);
  }
  return chosen;
}

/** Not a finite number from `min` to `max` (inclusive). */
function outside(value: number, min: number, max: number): boolean {
  return !Number.isFinite(value) || value < min || value > max;
}
