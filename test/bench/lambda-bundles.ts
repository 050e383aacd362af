/**
 * The measured refresher functions exactly as `cdk deploy` ships them: the `ZohoTokenRefresher` construct
 * synthesized in-process WITH bundling (so the construct bundles its handlers from the sources with
 * build/handler-bundling.ts: ESM, node22 target, minified, source maps, the `require` banner, the AWS SDK bundled), read back from
 * the cloud assembly: each function's bundle, memory, timeout and environment.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import type { CfnFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { refresherStack } from '../infra/infra-support';

/** One function of the synthesized template. */
export interface DeployedFunction {
  /** Absolute path of the bundle (`asset.<hash>/index.mjs`); its source map lies next to it. */
  readonly bundle: string;
  readonly bundleBytes: number;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Variables whose value is a literal in the template (settings, NODE_OPTIONS). */
  readonly literalEnvironment: Readonly<Record<string, string>>;
  /** Variables whose value is a CloudFormation reference (table name, key ARN, bus name). */
  readonly referencedVariables: readonly string[];
}

export interface DeployedFunctions {
  readonly onDemand: DeployedFunction;
  /** The refresh worker the SQS event source feeds. */
  readonly worker: DeployedFunction;
  /** The BatchSize of the worker's event source mapping: the orders of one worker invocation. */
  readonly workerBatchSize: number;
}

interface LambdaResource {
  readonly Type?: string;
  readonly Properties: {
    readonly FunctionName?: unknown;
    readonly BatchSize?: number;
    readonly Code?: { readonly S3Key?: string };
    readonly MemorySize?: number;
    readonly Timeout?: number;
    readonly Environment?: { readonly Variables?: Record<string, unknown> };
  };
}

/** Synthesizes the construct with its defaults into `outdir` (seconds: esbuild runs twice). */
export async function synthesizeRefresherFunctions(outdir: string): Promise<DeployedFunctions> {
  const { app, stack, refresher } = refresherStack({}, { bundle: true, outdir });
  const assembly = app.synth();
  const template = JSON.parse(
    await readFile(assembly.getStackArtifact(stack.artifactId).templateFullPath, 'utf8'),
  ) as { Resources: Record<string, LambdaResource> };
  const logicalId = (fn: LambdaFunction) => Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnFunction);
  const read = (fn: LambdaFunction) => deployedFunction(outdir, template.Resources[logicalId(fn)]);
  return {
    onDemand: await read(refresher.onDemandFunction),
    worker: await read(refresher.refreshWorkerFunction),
    workerBatchSize: batchSizeOf(template.Resources, logicalId(refresher.refreshWorkerFunction)),
  };
}

/** The BatchSize of the one event source mapping that feeds the function `functionId`. */
function batchSizeOf(resources: Record<string, LambdaResource>, functionId: string): number {
  const mappings = Object.values(resources).filter(
    (resource) =>
      resource.Type === 'AWS::Lambda::EventSourceMapping' &&
      JSON.stringify(resource.Properties.FunctionName) === JSON.stringify({ Ref: functionId }),
  );
  const batchSize = mappings[0]?.Properties.BatchSize;
  if (mappings.length !== 1 || batchSize === undefined) {
    throw new Error(
      `the template has ${mappings.length} event source mappings with a batch size for the worker`,
    );
  }
  return batchSize;
}

async function deployedFunction(
  outdir: string,
  resource: LambdaResource | undefined,
): Promise<DeployedFunction> {
  const properties = resource?.Properties;
  const key = properties?.Code?.S3Key;
  if (properties === undefined || key === undefined || properties.MemorySize === undefined) {
    throw new Error('the synthesized template lacks a refresher function, its code or its memory size');
  }
  // The asset's S3 key is `<hash>.zip`; the assembly keeps the bundle in `asset.<hash>`.
  const bundle = join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
  const variables = Object.entries(properties.Environment?.Variables ?? {});
  return {
    bundle,
    bundleBytes: (await readFile(bundle)).byteLength,
    memoryMb: properties.MemorySize,
    // CloudFormation's default when the property is absent.
    timeoutSeconds: properties.Timeout ?? 3,
    literalEnvironment: Object.fromEntries(
      variables.filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    ),
    referencedVariables: variables.filter(([, value]) => typeof value !== 'string').map(([name]) => name),
  };
}
