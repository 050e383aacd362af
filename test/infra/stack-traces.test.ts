/**
 * Readable stack traces from the deployed bundles without `NODE_OPTIONS=--enable-source-maps`: the
 * construct is synthesized with bundling (the bundles `cdk deploy` uploads), and a function's bundle
 * is imported in a fresh node with the flags Lambda gives it and no TABLE_NAME, so that its
 * configuration throws at cold start, as a misconfigured function would. The error's stack must name
 * our function and our source file, not a position in `index.mjs`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeployedBundle, deployedBundles } from '../bench/cold-start/deployed-bundles';
import { lambdaNodeFlags } from '../bench/lambda-child';

/** Imports the bundle and prints the stack of whatever its import throws. */
const IMPORT_AND_PRINT_STACK = `try { await import(process.argv[1]); process.stdout.write('no error'); }
catch (error) { process.stdout.write(String(error.stack)); }`;

function stackOfImport(bundle: DeployedBundle, environment: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        ...lambdaNodeFlags(bundle.memoryMb),
        '--input-type=module',
        '-e',
        IMPORT_AND_PRINT_STACK,
        pathToFileURL(bundle.bundle).href,
      ],
      { env: environment, timeout: 30_000 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });
}

describe('stack traces of a deployed bundle', () => {
  let outdir: string;
  let bundles: DeployedBundle[];
  let onDemand: DeployedBundle;

  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), 'zoho-stack-traces-'));
    bundles = await deployedBundles(outdir);
    const found = bundles.find((bundle) => bundle.name === 'OnDemandRefresh');
    if (!found) throw new Error('the construct deploys no OnDemandRefresh function');
    onDemand = found;
  });

  afterAll(async () => {
    await rm(outdir, { recursive: true, force: true });
  });

  it('sets no NODE_OPTIONS on any function (no source map is parsed at cold start)', () => {
    // Prepare: the synthesized functions. Act: read their environments.
    const withOptions = bundles.filter((bundle) => 'NODE_OPTIONS' in bundle.literalEnvironment);

    // Assess
    expect(bundles.length).toBeGreaterThanOrEqual(3);
    expect(withOptions.map((bundle) => bundle.name)).toEqual([]);
  });

  it('names our function and source file in the stack of an error thrown at cold start', async () => {
    // Prepare: the function's environment without TABLE_NAME (its configuration throws).
    const environment: Record<string, string> = {
      ...onDemand.literalEnvironment,
      ...Object.fromEntries(onDemand.referencedVariables.map((name) => [name, 'placeholder'])),
      AWS_REGION: 'eu-west-1',
    };
    delete environment.TABLE_NAME;

    // Act
    const stack = await stackOfImport(onDemand, environment);

    // Assess: the header as V8 writes it, then our frame with its source position.
    const lines = stack.split('\n');
    expect(lines[0]).toBe('ConfigurationError: TABLE_NAME is required but not set');
    expect(lines[1]).toMatch(/^ {4}at required \(functions\/aws\/config\.ts:\d+:\d+\)$/);
    expect(stack).toMatch(/\n {4}at readRefresherConfig \(functions\/aws\/config\.ts:\d+:\d+\)\n/);
    expect(stack).toMatch(/\n {4}at functions\/on-demand-refresh\/handler\.ts:\d+:\d+\n/);
    expect(stack).not.toContain('index.mjs');
  });
});
