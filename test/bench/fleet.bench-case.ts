/**
 * `fleet`: 72 simulated hours of 1,000, 10,000 and 100,000 connections through the real core (the
 * planner and worker use cases, refreshConnection) on in-memory ports that model Lambda, SQS,
 * DynamoDB, Secrets Manager, KMS, EventBridge and Zoho, on a virtual clock (test/bench/fleet/).
 * One 10-minute outage of one data centre's accounts server, 1 % transient faults of Zoho and AWS.
 * Prints one `fleet:` line per size, and checks the issue's goals (issue 10, "Measure it").
 * `FLEET_BENCH_SIZES=1000,10000` runs other sizes; `FLEET_BENCH_HOURS=4` a shorter run with the
 * outage in its middle, and without the outage-survival search (a quick look while tuning);
 * `FLEET_BENCH_SEED=3` another draw of the same scenario.
 */
import { type FleetResult, fleetLine, fleetResult } from './fleet/fleet-report';
import { fleetScenario } from './fleet/fleet-scenario';
import { FleetWorld } from './fleet/fleet-world';
import { outageSurvival } from './fleet/outage-survival';
import { productSettings } from './fleet/product';
import { type Bench, type BenchContext, type BenchRow, Checks, row, summarise } from './harness';

const SIZES = [1_000, 10_000, 100_000] as const;
/** The issue's bound on scheduled refreshes per connection-hour (1.0 is the physical floor). */
const MAX_REFRESHES_PER_CONNECTION_HOUR = 1.25;
/** The issue's bound on AWS calls of a refresh's normal path. */
const MAX_AWS_CALLS_PER_REFRESH = 5;

export const fleet: Bench = {
  name: 'fleet',
  description: `72 simulated hours of ${SIZES.map((n) => n.toLocaleString('en')).join(', ')} connections (virtual clock, in-memory AWS and Zoho)`,
  async run(context) {
    const rows: BenchRow[] = [];
    const hours = shortRunHours();
    for (const connections of sizes()) rows.push(await simulate(connections, context, hours));
    if (hours === undefined) rows.push(await survival(context));
    return rows;
  },
};

function sizes(): number[] {
  const raw = process.env.FLEET_BENCH_SIZES;
  if (raw === undefined || raw.trim() === '') return [...SIZES];
  return raw.split(',').map((size) => {
    const n = Number(size.trim());
    if (!Number.isSafeInteger(n) || n < 10) throw new Error(`FLEET_BENCH_SIZES: ${size} is not a fleet size`);
    return n;
  });
}

/**
 * `FLEET_BENCH_SEED`: another run of the same scenario (its faults, crashes and timings fall
 * elsewhere); 0, the default, is the run the docs quote.
 */
function seedOffset(): number {
  const raw = process.env.FLEET_BENCH_SEED;
  if (raw === undefined || raw.trim() === '') return 0;
  const offset = Number(raw.trim());
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new Error(`FLEET_BENCH_SEED: ${raw} is not a seed (0, 1, 2 …)`);
  return offset * 7_919;
}

/** `FLEET_BENCH_HOURS`: simulated hours of a shorter run, or undefined for the issue's 72. */
function shortRunHours(): number | undefined {
  const raw = process.env.FLEET_BENCH_HOURS;
  if (raw === undefined || raw.trim() === '') return undefined;
  const hours = Number(raw.trim());
  if (!Number.isSafeInteger(hours) || hours < 2)
    throw new Error(`FLEET_BENCH_HOURS: ${raw} is not 2 or more hours`);
  return hours;
}

async function simulate(connections: number, context: BenchContext, hours?: number): Promise<BenchRow> {
  const label = `fleet ${connections.toLocaleString('en')}`;
  const product = productSettings(connections);
  const base = fleetScenario(connections);
  const seed = base.seed + seedOffset();
  const scenario =
    hours === undefined
      ? fleetScenario(connections, { seed })
      : fleetScenario(connections, {
          seed,
          hours,
          outage: { ...base.outage, atHour: Math.floor(hours / 2) },
        });
  const started = process.hrtime.bigint();
  const elapsedS = () => Number(process.hrtime.bigint() - started) / 1e9;
  const world = new FleetWorld(scenario, product);
  context.progress(`${label}: fleet seeded in ${elapsedS().toFixed(1)} s; simulating ${scenario.hours} h`);
  const progressEvery = connections >= 50_000 ? 6 : 24;
  const loop = await world.run((hour) => {
    if (hour % progressEvery === 0) {
      context.progress(
        `${label}: ${hour}/${scenario.hours} h, ${world.commits.toLocaleString('en')} refreshes, ${elapsedS().toFixed(0)} s`,
      );
    }
  });
  const wallMs = elapsedS() * 1000;
  const result = fleetResult(world, loop, wallMs);
  context.output(fleetLine(result));
  for (const line of detailLines(result, scenario.outage.atHour)) context.output(`  ${line}`);
  return row(`fleet/${connections}`, result.refreshes, summarise([wallMs]), {
    counts: {
      refreshes: result.refreshes,
      zohoCalls: result.zoho.calls ?? 0,
      connectionsExpired: result.connectionsExpired,
      minSecondsLeftAtRefresh: result.minSecondsLeftAtRefresh,
      events: result.loop.events,
    },
    checks: goals(result).list,
    note: `total ms = the whole simulation (seeding included); per-op = wall time per simulated refresh`,
  });
}

/** How long an outage the deployed margin survives, for both kinds of outage. */
async function survival(context: BenchContext): Promise<BenchRow> {
  const started = process.hrtime.bigint();
  const { config } = productSettings(1_000);
  const counts: Record<string, number> = {};
  for (const kind of ['unavailable', 'unreachable'] as const) {
    context.progress(`fleet: the longest outage (${kind}) the margin survives`);
    const found = await outageSurvival(kind);
    counts[`${kind}SurvivedMin`] = found.survivedMinutes;
    context.output(
      `outage_survival: kind=${kind} margin_s=${config.refreshMarginSeconds} jitter_s=${config.refreshJitterSeconds} longest_outage_without_expiry_min=${found.survivedMinutes} first_failing_min=${found.failedMinutes} connections_expired_then=${found.failedConnections}`,
    );
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  return row('fleet/outage-survival', 2, summarise([wallMs]), {
    counts,
    note: `1,000 connections all in the failing data centre, 3 h, nothing else failing, outages of 5, 6, 7 … minutes until a token expires; unavailable = 503 at once, unreachable = no answer until the ${config.zohoTimeoutMs / 1000} s timeout`,
  });
}

function goals(result: FleetResult): Checks {
  const writeLimit = result.secretWritesLimit;
  const checks = new Checks();
  checks.expect('expired seconds of connections whose refresh token is good', result.expiredSeconds, 0);
  checks.expect(
    `refreshes per connection-hour <= ${MAX_REFRESHES_PER_CONNECTION_HOUR}`,
    result.refreshesPerConnectionHour <= MAX_REFRESHES_PER_CONNECTION_HOUR ? 1 : 0,
    1,
  );
  checks.expect(
    `peak secret writes per second <= the limit (${writeLimit})`,
    result.peakSecretWritesPerSecond <= writeLimit ? 1 : 0,
    1,
  );
  checks.expect(
    `AWS calls of a refresh's normal path (median) <= ${MAX_AWS_CALLS_PER_REFRESH}`,
    result.awsCallsPerRefresh.median <= MAX_AWS_CALLS_PER_REFRESH ? 1 : 0,
    1,
  );
  checks.expect("requests Zoho throttled (the budget keeps Zoho's limit)", result.zoho.throttled ?? -1, 0);
  checks.expect('planner runs that timed out', result.lambda.plannerTimeouts ?? -1, 0);
  return checks;
}

function detailLines(result: FleetResult, outageHour: number): string[] {
  const pairs = (record: Readonly<Record<string, number>>) =>
    Object.entries(record)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');
  return [
    `expiry: connections_expired=${result.connectionsExpired} min_seconds_left_at_refresh=${result.minSecondsLeftAtRefresh} excluded_expired_seconds=${result.excludedExpiredSeconds} (revoked refresh tokens, poison items) began_in_hour: ${pairs(result.expiriesByHour) || 'none'} (the outage: h${outageHour})`,
    `aws_calls_per_refresh: median=${result.awsCallsPerRefresh.median} mean=${result.awsCallsPerRefresh.mean.toFixed(2)} p99=${result.awsCallsPerRefresh.p99} by_api(per refresh): ${pairs(result.awsCallsByApi)}`,
    `secret_writes: peak_per_second=${result.peakSecretWritesPerSecond} (from ${result.peakSecond.senders} sandboxes, ${result.peakSecond.sdkRetries} SDK retries) limit(secretWritesPerSecond)=${result.secretWritesLimit} worker_concurrency_setting=${result.workerConcurrencySetting} throttled_by_region_quota=${result.secretWriteThrottles}`,
    `dynamodb_per_refresh: write_units=${(result.worker.writeUnits / Math.max(1, result.refreshes)).toFixed(2)} mean_item_bytes=${result.meanItemBytes} item_size_estimate_error_bytes=${result.itemSizeErrorBytes}`,
    `planner: p99_ms=${result.plannerMsP99} max_ms=${result.plannerMsMax} aws_calls_per_run=${result.plannerCallsPerRun} max_hold_s=${result.plannerMaxHoldS} (orders that could wait, behind urgent ones) runs_holding=${result.plannerHoldingRuns}`,
    `zoho: ${pairs(result.zoho)}`,
    `queue: ${pairs(result.queue)}`,
    `lambda: ${pairs(result.lambda)}`,
    `cost per month: ${result.cost.lines.map((line) => `${line.item} $${line.usdPerMonth.toFixed(2)} [${line.arithmetic}]`).join('; ')}`,
    `simulation: ${result.loop.events.toLocaleString('en')} events, ${result.loop.instants.toLocaleString('en')} instants, ${(result.loop.wallMs / 1000).toFixed(1)} s wall`,
  ];
}
