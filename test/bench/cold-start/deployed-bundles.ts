/**
 * The bundles the construct deploys, and their floors: for each distinct set of AWS SDK clients a
 * bundle uses, a bundle of only those clients (created at module scope with the SDK's defaults),
 * built by CDK with the project's own bundling options (build/handler-bundling.ts). Both come out
 * of `app.synth()` with bundling, so what is measured is what `cdk deploy` uploads.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { bundledAtSynth, HANDLER } from '../../../infra/handler-code';
import { ProjectFunction } from '../../../infra/refresher-function';
import { refresherStack, TEST_ENV, testApp } from '../../infra/infra-support';

/** One deployed function's bundle and what it runs with. */
export interface DeployedBundle {
  /** The construct id of the function (`OnDemandRefresh`, `Planner`, …). */
  readonly name: string;
  /** Absolute path of `index.mjs`; its source map lies next to it. */
  readonly bundle: string;
  readonly bundleBytes: number;
  readonly memoryMb: number;
  /** Variables whose value is a literal in the template (settings, NODE_OPTIONS if any). */
  readonly literalEnvironment: Readonly<Record<string, string>>;
  /** Variables whose value is a CloudFormation reference (a table name, a queue URL, …). */
  readonly referencedVariables: readonly string[];
  /** The `@aws-sdk/client-*` packages in the bundle (from its source map's sources), sorted. */
  readonly sdkClients: readonly string[];
  /** The command classes of those packages in the bundle, by package, sorted. */
  readonly sdkCommands: Readonly<Record<string, readonly string[]>>;
}

/**
 * What a floor holds: the client packages, each client created at module scope with the SDK's
 * default settings (the plain client; the handlers' call limits, client-config.ts, make theirs a
 * little cheaper to build), and with `commands` those packages' command classes too (the SDK code
 * of the calls a handler sends, which a floor of bare clients leaves out).
 */
export interface FloorSpec {
  readonly clients: readonly string[];
  readonly commands?: Readonly<Record<string, readonly string[]>>;
}

/** The key of a floor in floorBundles' answer. */
export const floorKey = (spec: FloorSpec): string =>
  [
    spec.clients.join('+'),
    ...Object.entries(spec.commands ?? {}).map(([pkg, names]) => `${pkg}:${names.join(',')}`),
  ].join(' ');

interface LambdaResource {
  readonly Properties: {
    readonly Code?: { readonly S3Key?: string };
    readonly MemorySize?: number;
    readonly Environment?: { readonly Variables?: Record<string, unknown> };
  };
}

type Template = { Resources: Record<string, LambdaResource> };

/**
 * Synthesizes the construct with bundling into `outdir`, with its defaults and the connect endpoint,
 * so that every function it can deploy is there (the endpoint adds the `Connect` function and
 * gives the workers, the on-demand and the operator functions its URL for re-authorisation links).
 */
export async function deployedBundles(outdir: string): Promise<DeployedBundle[]> {
  const { app, stack, refresher } = refresherStack({ connectEndpoint: true }, { bundle: true, outdir });
  const template = await synthesize(app, stack);
  const functions = refresher.node.findAll().filter((node) => node instanceof ProjectFunction);
  return Promise.all(
    functions.map(async (fn) => {
      const resource = template.Resources[logicalIdOf(fn.fn)];
      const properties = resource?.Properties;
      if (properties?.MemorySize === undefined) throw new Error(`${fn.node.id}: no function in the template`);
      const bundle = await bundleOf(outdir, resource);
      const variables = Object.entries(properties.Environment?.Variables ?? {});
      return {
        name: fn.node.id,
        bundle,
        bundleBytes: (await readFile(bundle)).byteLength,
        memoryMb: properties.MemorySize,
        literalEnvironment: Object.fromEntries(
          variables.filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
        ),
        referencedVariables: variables.filter(([, value]) => typeof value !== 'string').map(([name]) => name),
        ...(await sdkModulesOf(bundle)),
      };
    }),
  );
}

/**
 * One floor bundle per distinct spec, built with the project's bundling (without its injected
 * stack-trace module: a floor is the SDK and nothing else). `workdir` must lie inside the package,
 * where the clients resolve; keyed by floorKey.
 */
export async function floorBundles(
  specs: readonly FloorSpec[],
  workdir: string,
  outdir: string,
): Promise<Map<string, string>> {
  const app = testApp({ bundle: true, outdir });
  const stack = new Stack(app, 'Floors', { env: TEST_ENV });
  const functions = new Map<string, lambda.Function>();
  for (const spec of specs) {
    const key = floorKey(spec);
    if (functions.has(key)) continue;
    const entry = join(workdir, `floor-${functions.size}`, 'floor.ts');
    await mkdir(join(entry, '..'), { recursive: true });
    await writeFile(entry, await floorSource(spec));
    functions.set(
      key,
      new lambda.Function(stack, `Floor${functions.size}`, {
        code: bundledAtSynth(entry, { sourceMappedStacks: false }),
        handler: HANDLER,
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
      }),
    );
  }
  const template = await synthesize(app, stack);
  const floors = new Map<string, string>();
  for (const [key, fn] of functions)
    floors.set(key, await bundleOf(outdir, template.Resources[logicalIdOf(fn)]));
  return floors;
}

/**
 * A floor's source: the clients imported and created at module scope, as the adapters do, and the
 * commands (if any) imported and exported, so that the bundler keeps them.
 */
async function floorSource(spec: FloorSpec): Promise<string> {
  const { clients, commands = {} } = spec;
  const classes = await Promise.all(clients.map(clientClassOf));
  const imports = clients.map(
    (pkg, i) => `import { ${[classes[i], ...(commands[pkg] ?? [])].join(', ')} } from '@aws-sdk/${pkg}';`,
  );
  return [
    '// Generated by test/bench/cold-start: only the AWS SDK code a handler uses.',
    ...imports,
    `export const clients = [${classes.map((name) => `new ${name}({})`).join(', ')}];`,
    `export const commands = [${Object.values(commands).flat().join(', ')}];`,
    'export const handler = async () => clients.length;',
    '',
  ].join('\n');
}

/** The client class a `client-*` package exports (`DynamoDBClient`, `SQSClient`, …). */
async function clientClassOf(pkg: string): Promise<string> {
  const module = (await import(`@aws-sdk/${pkg}`)) as Record<string, unknown>;
  const name = Object.keys(module)
    .filter((key) => /^[A-Z][A-Za-z0-9]*Client$/.test(key) && typeof module[key] === 'function')
    .sort((a, b) => a.length - b.length)[0];
  if (name === undefined) throw new Error(`@aws-sdk/${pkg} exports no client class`);
  return name;
}

/**
 * The client packages a bundle holds and their command classes, from its source map (every input
 * file is a source; a command is its own module, `…/commands/GetItemCommand.js`).
 */
async function sdkModulesOf(bundle: string): Promise<Pick<DeployedBundle, 'sdkClients' | 'sdkCommands'>> {
  const map = JSON.parse(await readFile(`${bundle}.map`, 'utf8')) as { sources?: string[] };
  const clients = new Set<string>();
  const commands = new Map<string, Set<string>>();
  for (const source of map.sources ?? []) {
    const match = /@aws-sdk\/(client-[a-z0-9-]+)\/(?:.*\/commands\/([A-Za-z0-9]+Command)\.js$)?/.exec(source);
    const [pkg, command] = [match?.[1], match?.[2]];
    if (pkg === undefined) continue;
    clients.add(pkg);
    if (command !== undefined) commands.set(pkg, (commands.get(pkg) ?? new Set()).add(command));
  }
  return {
    sdkClients: [...clients].sort(),
    sdkCommands: Object.fromEntries([...commands].sort().map(([pkg, names]) => [pkg, [...names].sort()])),
  };
}

async function synthesize(app: ReturnType<typeof testApp>, stack: Stack): Promise<Template> {
  const assembly = app.synth();
  return JSON.parse(
    await readFile(assembly.getStackArtifact(stack.artifactId).templateFullPath, 'utf8'),
  ) as Template;
}

function logicalIdOf(fn: lambda.Function): string {
  return Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnFunction);
}

/** The bundle of a function resource: the asset's S3 key is `<hash>.zip`, its folder `asset.<hash>`. */
async function bundleOf(outdir: string, resource: LambdaResource | undefined): Promise<string> {
  const key = resource?.Properties.Code?.S3Key;
  if (key === undefined) throw new Error('a function without a code asset');
  return join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
}
