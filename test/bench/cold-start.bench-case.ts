/**
 * `cold-start`: how long each deployed bundle takes to import in a fresh node (Lambda's cold start
 * before the first invocation), against its floor: a bundle of only the AWS SDK clients it uses,
 * created at module scope with the SDK's default settings, built by CDK with the same bundling in
 * the same run. The goal (issue 10): every bundle within 1.1× of its floor. Also timed: the bundle with
 * `NODE_OPTIONS=--enable-source-maps`, which the functions no longer set (PROJECT_BUNDLING's
 * injected module maps stacks lazily instead). Runs are interleaved (floor, bundle, bundle with the
 * flag) so that a noisy neighbour slows all three alike: the ratios are the medians of each round's.
 * `cpu_ratio` is the same ratio of the imports' CPU time, which other processes on a busy machine do
 * not inflate; the load average printed first says how busy the machine was. A second floor holds
 * the clients and the command classes the bundle sends (`ratio_to_sdk_with_commands`): what is left
 * over it is the cost of our own modules alone. With `COLD_START_INSTRUCTIONS=1` (valgrind
 * installed), each bundle and floor is also imported once under callgrind and `instructions_ratio` is the ratio
 * of the instructions of their imports (each process's count less an empty module's): the same
 * ratio without the clock's noise, which a busy machine leaves unchanged.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCE_ROOT } from '../../infra/handler-code';
import {
  type DeployedBundle,
  deployedBundles,
  type FloorSpec,
  floorBundles,
  floorKey,
} from './cold-start/deployed-bundles';
import {
  countInstructions,
  timeImport,
  writeEmptyModule,
  writeImportOnly,
  writeImportTimer,
} from './cold-start/import-timer';
import { type Bench, type BenchContext, type BenchRow, Checks, row, summarise } from './harness';

const NAME = 'cold-start';
/**
 * Fresh processes per variant; `COLD_START_RUNS` overrides. 21: with 11, a shared 2-core machine
 * moved a bundle's median ratio by ±0.05 from run to run, as much as the margin to the goal.
 */
const DEFAULT_RUNS = 21;
/** The bound on a bundle's import time over its floor's. */
const MAX_RATIO = 1.1;
const SOURCE_MAPS_FLAG = '--enable-source-maps';

export const coldStart: Bench = {
  name: NAME,
  description: 'import time of each deployed bundle against a bundle of only its AWS SDK clients',
  async run(context) {
    const outdir = await mkdtemp(join(tmpdir(), 'zoho-cold-start-'));
    // Floor sources must resolve the SDK from the package's node_modules.
    const workdir = await mkdtemp(join(SOURCE_ROOT, 'test', 'bench', '.cold-start-'));
    try {
      context.progress(`${NAME}: synthesizing the construct with bundling (CDK runs esbuild per function)`);
      const bundles = await deployedBundles(join(outdir, 'deployed'));
      context.progress(`${NAME}: building the floors (only the AWS SDK clients of each bundle)`);
      const floors = await floorBundles(
        bundles.flatMap((bundle) => [floorOf(bundle), floorOf(bundle, 'with commands')]),
        workdir,
        join(outdir, 'floors'),
      );
      const timer = await writeImportTimer(outdir);
      const counter =
        process.env.COLD_START_INSTRUCTIONS === '1'
          ? instructionCounter(await writeImportOnly(outdir), await writeEmptyModule(outdir))
          : undefined;
      context.output(
        `cold-start: load_average_1m=${loadavg()[0]?.toFixed(1)} cores=${availableParallelism()}`,
      );
      const rows: BenchRow[] = [];
      for (const bundle of bundles) {
        const floor = floors.get(floorKey(floorOf(bundle)));
        const commandsFloor = floors.get(floorKey(floorOf(bundle, 'with commands')));
        if (floor === undefined || commandsFloor === undefined)
          throw new Error(`${bundle.name}: no floor was built`);
        rows.push(await measureBundle(context, timer, bundle, { floor, commandsFloor, counter }));
      }
      return rows;
    } finally {
      await rm(outdir, { recursive: true, force: true });
      await rm(workdir, { recursive: true, force: true });
    }
  },
};

/**
 * The floor of a bundle: its SDK clients (the yardstick), or with them the commands it sends
 * (the SDK code of its calls), which leaves in the ratio the cost of our own modules alone.
 */
function floorOf(bundle: DeployedBundle, commands?: 'with commands'): FloorSpec {
  return commands === undefined
    ? { clients: bundle.sdkClients }
    : { clients: bundle.sdkClients, commands: bundle.sdkCommands };
}

async function measureBundle(
  context: BenchContext,
  timer: string,
  bundle: DeployedBundle,
  {
    floor,
    commandsFloor,
    counter,
  }: { floor: string; commandsFloor: string; counter: InstructionCounter | undefined },
): Promise<BenchRow> {
  const runs = Number(process.env.COLD_START_RUNS ?? DEFAULT_RUNS);
  const deployed = environmentOf(bundle);
  const { NODE_OPTIONS: _deployedOptions, ...bare } = deployed;
  const withFlag = { ...bare, NODE_OPTIONS: SOURCE_MAPS_FLAG };
  context.progress(`${NAME}: ${bundle.name}, ${runs} fresh processes per variant`);
  const times = { floor: [] as number[], bundle: [] as number[], flag: [] as number[] };
  const cpu = { floor: [] as number[], bundle: [] as number[], commandsFloor: [] as number[] };
  const commandsFloorTimes: number[] = [];
  let handlers = 0;
  for (let run = 0; run < runs; run++) {
    const floorTiming = await timeImport(timer, floor, bundle.memoryMb, bare);
    times.floor.push(floorTiming.importMs);
    cpu.floor.push(floorTiming.importCpuMs);
    const timing = await timeImport(timer, bundle.bundle, bundle.memoryMb, deployed);
    if (timing.handler) handlers++;
    times.bundle.push(timing.importMs);
    cpu.bundle.push(timing.importCpuMs);
    times.flag.push((await timeImport(timer, bundle.bundle, bundle.memoryMb, withFlag)).importMs);
    const commandsTiming = await timeImport(timer, commandsFloor, bundle.memoryMb, bare);
    commandsFloorTimes.push(commandsTiming.importMs);
    cpu.commandsFloor.push(commandsTiming.importCpuMs);
  }
  const median = (values: number[]) => summarise(values).medianMs;
  const [floorMs, bundleMs, flagMs] = [median(times.floor), median(times.bundle), median(times.flag)];
  // Each round's ratio, then their median: a neighbour's burst slows one round's three imports alike.
  const ratioOf = (values: number[], floors: number[]) =>
    median(values.map((ms, i) => ms / (floors[i] ?? ms)));
  const ratio = ratioOf(times.bundle, times.floor);
  const flagRatio = ratioOf(times.flag, times.floor);
  const cpuRatio = ratioOf(cpu.bundle, cpu.floor);
  const ownRatio = ratioOf(times.bundle, commandsFloorTimes);
  const ownCpuRatio = ratioOf(cpu.bundle, cpu.commandsFloor);
  if (counter !== undefined) context.progress(`${NAME}: ${bundle.name}, counting instructions (valgrind)`);
  const instructionsRatio =
    counter === undefined
      ? undefined
      : (await counter.importOf(bundle.bundle, bundle.memoryMb, deployed)) /
        (await counter.importOf(floor, bundle.memoryMb, bare));
  const instructions =
    instructionsRatio === undefined ? '' : ` instructions_ratio=${instructionsRatio.toFixed(3)}`;
  context.output(
    `cold-start: function=${bundle.name} handler_import_ms=${bundleMs.toFixed(1)} floor_import_ms=${floorMs.toFixed(1)} ratio=${ratio.toFixed(2)} cpu_ratio=${cpuRatio.toFixed(2)}${instructions} with_enable_source_maps_ms=${flagMs.toFixed(1)} ratio_with_enable_source_maps=${flagRatio.toFixed(2)} ratio_to_sdk_with_commands=${ownRatio.toFixed(2)} cpu_ratio_to_sdk_with_commands=${ownCpuRatio.toFixed(2)} sdk_clients=${bundle.sdkClients.join(',')}`,
  );
  const checks = new Checks();
  checks.expect('imports whose bundle exports a handler', handlers, runs);
  checks.expect(
    `deployed with NODE_OPTIONS ${SOURCE_MAPS_FLAG}`,
    deployed.NODE_OPTIONS?.includes(SOURCE_MAPS_FLAG) ? 1 : 0,
    0,
  );
  return row(`${NAME}/${bundle.name}`, 1, summarise(times.bundle), {
    counts: {
      bundleKb: Math.round(bundle.bundleBytes / 1024),
      floorMs: round(floorMs),
      ratio: round(ratio, 2),
      cpuRatio: round(cpuRatio, 2),
      ...(instructionsRatio === undefined ? {} : { instructionsRatio: round(instructionsRatio, 3) }),
      ratioToSdkWithCommands: round(ownRatio, 2),
      withSourceMapsMs: round(flagMs),
      withSourceMapsRatio: round(flagRatio, 2),
    },
    checks: checks.list,
    note: `total ms = the import (median of ${runs} fresh processes); goal: ratio <= ${MAX_RATIO} (floor: ${bundle.sdkClients.join(', ')})`,
  });
}

interface InstructionCounter {
  /** Instructions of importing `bundle` alone: its process's count less the empty module's. */
  importOf(bundle: string, memoryMb: number, environment: Record<string, string>): Promise<number>;
}

/** Counts each bundle once (a floor serves several functions) and the empty module once per heap size. */
function instructionCounter(program: string, empty: string): InstructionCounter {
  const counts = new Map<string, Promise<number>>();
  const count = (bundle: string, memoryMb: number, environment: Record<string, string>) => {
    const key = `${bundle} ${memoryMb}`;
    const known = counts.get(key) ?? countInstructions(program, bundle, memoryMb, environment);
    counts.set(key, known);
    return known;
  };
  return {
    async importOf(bundle, memoryMb, environment) {
      const { NODE_OPTIONS: _options, ...bare } = environment;
      return (await count(bundle, memoryMb, environment)) - (await count(empty, memoryMb, bare));
    },
  };
}

/** The function's environment as Lambda sets it: literals, placeholders for references, Lambda's own. */
function environmentOf(bundle: DeployedBundle): Record<string, string> {
  return {
    ...bundle.literalEnvironment,
    ...Object.fromEntries(
      bundle.referencedVariables.map((name) => [name, `cold-start-${name.toLowerCase()}`]),
    ),
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: bundle.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(bundle.memoryMb),
    TZ: ':UTC',
  };
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
