import {
  startZohoSimulator,
  type ZohoSimulator,
  type ZohoSimulatorOptions,
} from '../../../../dev/zoho-simulator';

/** The client every simulator test registers; the secret carries the leak-scan marker. */
export const CLIENT = { clientId: '1000.SIMCLIENT', clientSecret: 'test-cs-us-secret' } as const;

export interface Harness {
  readonly sim: ZohoSimulator;
  /** Moves the simulator's clock; real time is never waited on. */
  advance(ms: number): void;
}

/** A simulator on a free port, with an injected clock and `CLIENT` enabled in us and eu. */
export async function startHarness(options: ZohoSimulatorOptions = {}): Promise<Harness> {
  let now = 1_700_000_000_000;
  const sim = await startZohoSimulator({ ...options, now: () => now });
  sim.registerClient({ ...CLIENT, dcs: ['us', 'eu'] });
  return {
    sim,
    advance: (ms) => {
      now += ms;
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Fault variants send bodies that are not JSON on purpose; tests then assert on `text`.
  }
  return { status: response.status, text, json };
}

/** POSTs a form body to the token endpoint of `dc`. */
export async function postToken(
  sim: ZohoSimulator,
  dc: string,
  form: Record<string, string>,
  init: RequestInit = {},
): Promise<Answer> {
  const response = await fetch(`${sim.accountsServer(dc)}/oauth/v2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
    ...init,
  });
  return answerOf(response);
}

/** A refresh with `CLIENT`'s credentials. */
export function refresh(sim: ZohoSimulator, dc: string, refreshToken: string): Promise<Answer> {
  return postToken(sim, dc, {
    grant_type: 'refresh_token',
    client_id: CLIENT.clientId,
    client_secret: CLIENT.clientSecret,
    refresh_token: refreshToken,
  });
}

export async function revoke(sim: ZohoSimulator, dc: string, token: string): Promise<Answer> {
  const response = await fetch(`${sim.accountsServer(dc)}/oauth/v2/token/revoke`, {
    method: 'POST',
    body: new URLSearchParams({ token }),
  });
  return answerOf(response);
}

export async function organizations(
  sim: ZohoSimulator,
  dc: string,
  accessToken?: string,
  init: RequestInit = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (accessToken !== undefined) headers.authorization = `Zoho-oauthtoken ${accessToken}`;
  const response = await fetch(`${sim.apiDomain(dc)}/books/v3/organizations`, { headers, ...init });
  return answerOf(response);
}

/** Refreshes once and returns the access token, failing loudly when the simulator refused. */
export async function accessTokenFor(sim: ZohoSimulator, dc: string, refreshToken: string): Promise<string> {
  const { json } = await refresh(sim, dc, refreshToken);
  if (typeof json.access_token !== 'string') throw new Error(`refresh refused: ${String(json.error)}`);
  return json.access_token;
}
