/**
 * The sandbox's options and the settings they resolve to: which AWS emulator, which Zoho (the
 * simulator, an accounts server already running, or the real one), and how fast time runs.
 */
import { ConfigurationError } from '../../functions/core/errors';

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
  /** The data centre of the real credentials; default ZOHO_DC or `us`. */
  readonly dc?: string;
  /** Stop by itself after this many seconds; default: run until SIGINT/SIGTERM. */
  readonly durationSeconds?: number;
  /** Lifetime of the simulator's access tokens. @default 60 */
  readonly tokenLifetimeSeconds?: number;
  /** How often the scheduled handler runs. @default 10 */
  readonly sweepIntervalSeconds?: number;
  /** How often each demo consumer calls the Books API. @default 3 */
  readonly consumerIntervalSeconds?: number;
  /** How often the simulated Zoho expires a connection's tokens early (0: never). @default 20 */
  readonly expireEverySeconds?: number;
  /** How often the rejected-events queue is drained. @default 1 */
  readonly drainIntervalSeconds?: number;
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
  readonly consumerIntervalMs: number;
  readonly drainIntervalMs: number;
}

/** Resolves and checks the options; throws ConfigurationError naming the first bad one. */
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
    throw new ConfigurationError(
      `${zohoAccounts === undefined ? 'real Zoho' : '--zoho-accounts'} needs ${missing.join(', ')} (or ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN); without any of them the sandbox simulates Zoho`,
    );
  }
  const credentials = given as ZohoCredentials;
  let zoho: ZohoMode;
  if (zohoAccounts !== undefined) zoho = { kind: 'external', accountsServer: zohoAccounts, credentials };
  else if (anyGiven) {
    zoho = { kind: 'real', dc: (pick(options.dc, 'ZOHO_DC') ?? 'us').toLowerCase(), credentials };
  } else {
    zoho = {
      kind: 'simulator',
      tokenLifetimeSeconds: seconds('token lifetime', options.tokenLifetimeSeconds, 60, 10, 3600),
      expireEveryMs: seconds('expire interval', options.expireEverySeconds, 20, 0, 86_400) * 1000,
    };
  }
  const duration = options.durationSeconds;
  return {
    ...(options.awsEndpoint === undefined ? {} : { awsEndpoint: options.awsEndpoint }),
    ...(options.region === undefined ? {} : { region: options.region }),
    zoho,
    ...(duration === undefined ? {} : { durationMs: seconds('duration', duration, 0, 1, 86_400) * 1000 }),
    sweepIntervalMs: seconds('sweep interval', options.sweepIntervalSeconds, 10, 0.1, 3600) * 1000,
    consumerIntervalMs: seconds('consumer interval', options.consumerIntervalSeconds, 3, 0.1, 3600) * 1000,
    drainIntervalMs: seconds('drain interval', options.drainIntervalSeconds, 1, 0.1, 3600) * 1000,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function seconds(name: string, value: number | undefined, fallback: number, min: number, max: number) {
  const chosen = value ?? fallback;
  if (!Number.isFinite(chosen) || chosen < min || chosen > max) {
    throw new ConfigurationError(`${name} must be from ${min} to ${max} seconds (got ${chosen})`);
  }
  return chosen;
}
