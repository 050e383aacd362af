/**
 * The Zoho side of the fault matrix: the real accounts adapter (functions/zoho) talking HTTP to the
 * in-process Zoho simulator, whose fault book produces 5xx, HTML, hangs, resets, half JSON and the
 * error bodies of ZOHO.md §2. Answers the simulator has no fault for are served by the adapter's
 * injected `fetch` instead, still through the real parser.
 */
import { startZohoSimulator, type ZohoSimulator } from '../../dev/zoho-simulator';
import { createZohoAccountsClient, type ZohoAccountsClient } from '../../functions/zoho/accounts-client';
import { FakeCredentials } from '../support/fakes';

/**
 * A Zoho call that hangs costs this much real time, three times per refresh. Long enough that a
 * loopback answer on a busy machine never times out by accident.
 */
export const ZOHO_TIMEOUT_MS = 1_000;

/** A raw answer of the token endpoint. */
export interface CannedAnswer {
  readonly status: number;
  readonly body: string;
}

export interface SimulatedZoho {
  readonly sim: ZohoSimulator;
  /** The real adapter, allowed to call the simulator's accounts servers. */
  readonly adapter: ZohoAccountsClient;
  /** The accounts server and API domain connections of the matrix use. */
  readonly accountsServer: string;
  readonly apiDomain: string;
  /** The next token requests get these answers, in order, instead of the simulator's. */
  canned(...answers: CannedAnswer[]): void;
  /** Drops the simulator's faults and the canned answers not yet given; tokens stay. */
  clearFaults(): void;
  /** Forgets every token, fault and canned answer; the simulator's clock becomes `now`. */
  reset(now: () => number): void;
  /** A refresh token of the fakes' client app, as if a user had authorised it. */
  issueRefreshToken(): string;
  stop(): Promise<void>;
}

export async function startSimulatedZoho(): Promise<SimulatedZoho> {
  let clock: () => number = Date.now;
  const sim = await startZohoSimulator({ now: () => clock() });
  const queue: CannedAnswer[] = [];
  const cannedOrSimulated: typeof fetch = (input, init) => {
    const answer = queue.shift();
    if (!answer) return fetch(input, init);
    return Promise.resolve(
      new Response(answer.body, { status: answer.status, headers: { 'content-type': 'application/json' } }),
    );
  };
  const accountsServer = sim.accountsServer('us');
  const adapter = createZohoAccountsClient({
    timeoutMs: ZOHO_TIMEOUT_MS,
    allowedCustomServers: [accountsServer],
    fetch: cannedOrSimulated,
  });
  // The client app the fakes' credentials port hands out.
  const client = await new FakeCredentials().get();
  return {
    sim,
    adapter,
    accountsServer,
    apiDomain: sim.apiDomain('us'),
    canned: (...answers) => {
      queue.push(...answers);
    },
    clearFaults() {
      queue.length = 0;
      sim.faults.clear();
    },
    reset(now) {
      clock = now;
      queue.length = 0;
      sim.reset();
      sim.registerClient({ clientId: client.clientId, clientSecret: client.clientSecret, dcs: ['us'] });
    },
    issueRefreshToken: () => sim.issueRefreshToken({ clientId: client.clientId, dc: 'us' }),
    stop: () => sim.stop(),
  };
}
