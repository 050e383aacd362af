/**
 * Runs in a child process of zoho-simulator-lifecycle.test.ts. It plays one scenario, prints its outcome as JSON and
 * returns from the top level; the process then exits by itself only if the simulator left no server, socket or timer
 * behind. A child is the only exact witness: handle counts inside the test process also see handles of earlier tests
 * that are still closing.
 */
import { startZohoSimulator } from '../../../../dev/zoho-simulator';
import { accessTokenFor, CLIENT, organizations, refresh } from './zoho-simulator-helpers';

type Scenario = 'stop-while-busy' | 'cannot-listen';

const settled = (work: Promise<unknown>) =>
  work.then(
    () => 'answered',
    (error: unknown) => `failed: ${error instanceof Error ? error.message : String(error)}`,
  );

async function stopWhileBusy(): Promise<Record<string, string>> {
  const sim = await startZohoSimulator();
  sim.registerClient({ ...CLIENT, dcs: ['us'] });
  const rt = sim.issueRefreshToken({ clientId: CLIENT.clientId, dc: 'us' });
  await accessTokenFor(sim, 'us', rt); // leaves a keep-alive socket open
  sim.faults.queue('token', 'hang');
  sim.faults.queue('books', { latencyMs: 60_000 });
  const hung = settled(refresh(sim, 'us', rt));
  const delayed = settled(organizations(sim, 'us', 'x'));
  while (sim.calls.token < 2 || sim.calls.books < 1) await new Promise((resolve) => setImmediate(resolve));
  await sim.stop();
  return { hung: await hung, delayed: await delayed };
}

async function cannotListen(): Promise<Record<string, string>> {
  // 203.0.113.1 is TEST-NET-3 (RFC 5737): never an address of this machine, so no DC can bind.
  return { started: await settled(startZohoSimulator({ host: '203.0.113.1' })) };
}

const scenarios: Record<Scenario, () => Promise<Record<string, string>>> = {
  'stop-while-busy': stopWhileBusy,
  'cannot-listen': cannotListen,
};
const scenario = scenarios[process.argv[2] as Scenario];
if (scenario === undefined) throw new Error(`unknown scenario ${process.argv[2]}`);
process.stdout.write(`${JSON.stringify(await scenario())}\n`);
