/**
 * The Zoho the sandbox talks to: the simulator with a client app and one authorised demo connection
 * per data centre (us and eu), an accounts server already running, or the real Zoho.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_REFRESH_POLICY } from '../../functions/core/refresh-policy';
import { CUSTOM_DC, normaliseAccountsServer, resolveDataCentre } from '../../functions/zoho/data-centres';
import { startZohoSimulator, type ZohoSimulator } from '../zoho-simulator';
import type { ZohoCredentials, ZohoMode } from './options';

/** A connection the sandbox registers and its demo consumer calls. */
export interface DemoConnection {
  readonly connectionId: string;
  readonly dc: string;
  readonly accountsServer: string;
  readonly apiDomain: string;
  readonly refreshToken: string;
}

export interface ZohoSide {
  /** One line for the header, e.g. `the Zoho simulator, us <accounts> + <api>, eu … (tokens live 60 s)`. */
  readonly description: string;
  readonly client: Omit<ZohoCredentials, 'refreshToken'>;
  readonly connections: readonly DemoConnection[];
  readonly allowedAccountsServers: readonly string[];
  /** How long Zoho's access tokens live; the sandbox's clock runs this much faster than Zoho's hour. */
  readonly tokenLifetimeSeconds: number;
  /** Present with the simulator only. */
  readonly simulator?: ZohoSimulator;
  stop(): Promise<void>;
}

export const SIMULATED_DCS = ['us', 'eu'] as const;
const ZOHO_TOKEN_LIFETIME_SECONDS = 3600;

/** The Zoho token budget's window, shortened as much as the token lifetime is (10 min for 1 h). */
export function scaledWindowMs(tokenLifetimeSeconds: number): number {
  const scale = tokenLifetimeSeconds / ZOHO_TOKEN_LIFETIME_SECONDS;
  return Math.max(1_000, Math.round(DEFAULT_REFRESH_POLICY.budgetWindowMs * scale));
}

export async function startZohoSide(mode: ZohoMode): Promise<ZohoSide> {
  if (mode.kind === 'simulator') return startSimulated(mode.tokenLifetimeSeconds);
  const location =
    mode.kind === 'real'
      ? resolveDataCentre({ dc: mode.dc })
      : { dc: CUSTOM_DC, accountsServer: normaliseAccountsServer(mode.accountsServer), apiDomain: undefined };
  const { clientId, clientSecret, refreshToken } = mode.credentials;
  return {
    description:
      mode.kind === 'real'
        ? `the real Zoho, data centre ${location.dc} (${location.accountsServer})`
        : `the accounts server at ${location.accountsServer}`,
    client: { clientId, clientSecret },
    connections: [
      {
        connectionId: `sandbox-${location.dc}`,
        dc: location.dc,
        accountsServer: location.accountsServer,
        // A custom server's API domain is unknown until its first token answer names it.
        apiDomain: location.apiDomain ?? location.accountsServer,
        refreshToken,
      },
    ],
    allowedAccountsServers: mode.kind === 'real' ? [] : [location.accountsServer],
    tokenLifetimeSeconds: ZOHO_TOKEN_LIFETIME_SECONDS,
    stop: async () => undefined,
  };
}

async function startSimulated(tokenLifetimeSeconds: number): Promise<ZohoSide> {
  const simulator = await startZohoSimulator({
    accessTokenLifetimeSeconds: tokenLifetimeSeconds,
    // Zoho's 10-per-10-minutes throttle, at the pace of the shortened tokens.
    throttleWindowMs: scaledWindowMs(tokenLifetimeSeconds),
  });
  try {
    const tag = randomBytes(4).toString('hex');
    const client = { clientId: `1000.SANDBOX${tag.toUpperCase()}`, clientSecret: `sim-cs-${tag}` };
    simulator.registerClient({ ...client, dcs: [...SIMULATED_DCS] });
    // Each data centre has two origins of its own, as Zoho's accounts server and api domain are.
    const origins = SIMULATED_DCS.map(
      (dc) => `${dc} ${simulator.accountsServer(dc)} + ${simulator.apiDomain(dc)}`,
    ).join(', ');
    return {
      description: `the Zoho simulator, ${origins} (access tokens live ${tokenLifetimeSeconds} s)`,
      client,
      connections: SIMULATED_DCS.map((dc) => ({
        connectionId: `demo-${dc}`,
        dc,
        accountsServer: simulator.accountsServer(dc),
        apiDomain: simulator.apiDomain(dc),
        refreshToken: simulator.issueRefreshToken({ clientId: client.clientId, dc }),
      })),
      allowedAccountsServers: SIMULATED_DCS.map((dc) => simulator.accountsServer(dc)),
      tokenLifetimeSeconds,
      simulator,
      stop: () => simulator.stop(),
    };
  } catch (error) {
    await simulator.stop();
    throw error;
  }
}
