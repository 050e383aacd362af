/**
 * `cdk synth` needs no AWS credentials and no network: once in-process (the app of infra/app.ts,
 * with every AWS_* variable unset) and once as users run it, `npx cdk synth --quiet` in a child
 * process with no AWS_* variable and a HOME without ~/.aws.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STACK_NAME, ENV } from '../../functions/aws/names';
import { createApp } from '../../infra/create-app';
import { cdkJsonContext, PROJECT_ROOT } from './infra-support';

const run = promisify(execFile);

/** The environment minus every AWS_* and CDK_DEFAULT_* variable (the CLI sets the latter from credentials). */
function withoutAws(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('CDK_DEFAULT_')),
  );
}

interface LambdaResource {
  Type: string;
  Properties: { Code?: { S3Key?: string } };
}

/**
 * Loads a bundle in a fresh Node process, as Lambda would (ESM, config read at import), and answers
 * `typeof handler`: proves the ESM output, the require banner and the bundled middy/Powertools load.
 */
async function handlerTypeOf(bundleFile: string): Promise<string> {
  const env = {
    PATH: process.env.PATH,
    [ENV.tableName]: 'connections',
    [ENV.secretPrefix]: 'zoho-token-refresher',
    [ENV.keyId]: 'arn:aws:kms:eu-west-1:111122223333:key/test',
    [ENV.eventBusName]: 'bus',
    [ENV.refreshQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/111122223333/refresh',
  };
  const script = `const m = await import(${JSON.stringify(pathToFileURL(bundleFile).href)}); process.stdout.write(typeof m.handler);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env });
  return stdout;
}

describe('synth without credentials', () => {
  const saved = { ...process.env };
  const outdirs: string[] = [];
  const outdir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zoho-infra-synth-'));
    outdirs.push(dir);
    return dir;
  };

  beforeAll(() => {
    for (const name of Object.keys(process.env)) {
      if (name.startsWith('AWS_') || name.startsWith('CDK_DEFAULT_')) delete process.env[name];
    }
  });

  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) process.env[name] = value;
    await Promise.all(outdirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('synthesizes the app in-process, bundling the four functions as ESM with the require banner', async () => {
    // Prepare
    const dir = await outdir();
    const { app, stack } = createApp({ outdir: dir, context: cdkJsonContext() });
    // Act
    const started = performance.now();
    const assembly = app.synth();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    // Assess
    expect(stack.stackName).toBe(DEFAULT_STACK_NAME);
    const template = JSON.parse(
      await readFile(assembly.getStackByName(DEFAULT_STACK_NAME).templateFullPath, 'utf8'),
    );
    const functions = Object.values(template.Resources as Record<string, LambdaResource>).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    expect(functions).toHaveLength(4);
    for (const fn of functions) {
      // The asset's S3 key is `<hash>.zip`; the assembly keeps the bundle in `asset.<hash>`.
      const bundle = join(dir, `asset.${fn.Properties.Code?.S3Key?.replace(/\.zip$/, '')}`);
      expect(existsSync(join(bundle, 'index.mjs.map'))).toBe(true);
      const code = await readFile(join(bundle, 'index.mjs'), 'utf8');
      expect(code.startsWith('import { createRequire } from')).toBe(true);
      // The SDK is bundled, not taken from the runtime.
      expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
      // Minified, yet error classes keep their names (keepNames): logs say ConfigurationError, not `Kr`.
      expect(code).toContain('"ConfigurationError"');
      expect(await handlerTypeOf(join(bundle, 'index.mjs'))).toBe('function');
    }
    process.stdout.write(`in-process synth with bundling: ${seconds} s\n`);
  });

  it('runs `npx cdk synth --quiet` with no AWS_* variable set', async () => {
    // Prepare: a HOME without ~/.aws; npm keeps its cache where it was.
    const home = await outdir();
    const out = await outdir();
    const env = {
      ...withoutAws(saved),
      HOME: home,
      npm_config_cache: saved.npm_config_cache ?? join(homedir(), '.npm'),
    };
    // Act
    const started = performance.now();
    const result = await run('npx', ['cdk', 'synth', '--quiet', '--output', out], {
      cwd: PROJECT_ROOT,
      env,
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { code?: number; stderr?: string }) => ({
      stdout: '',
      stderr: `${error.code}: ${error.stderr}`,
    }));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    // Assess
    expect(result.stderr).not.toMatch(/^\d+: /);
    const template = JSON.parse(await readFile(join(out, `${DEFAULT_STACK_NAME}.template.json`), 'utf8'));
    expect(Object.keys(template.Outputs)).toContain('TableName');
    process.stdout.write(`npx cdk synth --quiet: ${seconds} s\n`);
  });
});
