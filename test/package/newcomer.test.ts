/**
 * Newcomer scenarios: the tarball `npm pack` makes, installed into fresh projects as a user would
 * install it, must work out of the box — imported from plain ESM and from CommonJS, type-checked by
 * strict TypeScript, deployed by a `cdk init` app, and its CLI run with `npx`.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandHelp } from '../../cli/command';
import { generalHelp, operatorProgram } from '../../cli/help';
import { COMMANDS } from '../../cli/main';
import { BOUND_CONNECTION, createCdkApp, createConsumerProject, EXPORTS_LINE } from './projects';
import { npmInstall, packTarball, run, runOk } from './scratch';

let work: string;
let tarball: string;
let consumer: string;
let cdkApp: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'zoho-token-refresher-newcomer-'));
  tarball = await packTarball(join(work, 'pack'));
  consumer = join(work, 'consumer');
  cdkApp = join(work, 'newcomer-app');
  await createConsumerProject(consumer, tarball);
  await mkdir(cdkApp);
  await createCdkApp(cdkApp, tarball);
  await Promise.all([npmInstall(consumer), npmInstall(cdkApp)]);
});

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the build, the bin, the LICENSE, the README and package.json, and nothing else', async () => {
    // Act
    const { stdout } = await runOk('tar', ['tzf', tarball], work);

    // Assess
    const tops = new Set(
      stdout
        .trim()
        .split('\n')
        .map((path) => path.split('/').slice(1, 3).join('/')),
    );
    const outside = [...tops].filter(
      (path) =>
        !/^(dist\/(handlers|consumer|infra|cli|types|types-cjs)|bin\/zoho-tokens\.js|LICENSE|README\.md|package\.json)$/.test(
          path,
        ),
    );
    expect(outside).toEqual([]);
  });
});

describe('a consumer Lambda project', () => {
  it('(a) imports zoho-token-refresher/consumer from a plain Node ESM script', async () => {
    // Act
    const result = await run('node', ['esm.mjs'], consumer);

    // Assess
    expect(result).toEqual({ code: 0, stdout: `${EXPORTS_LINE}\n`, stderr: '' });
  });

  it('(b) requires it from CommonJS', async () => {
    // Act
    const result = await run('node', ['cjs.cjs'], consumer);

    // Assess
    expect(result).toEqual({ code: 0, stdout: `${EXPORTS_LINE}\n`, stderr: '' });
  });

  it('(c) type-checks a consumer handler with NodeNext, every strict flag and skipLibCheck off', async () => {
    // Act
    const result = await run(join(consumer, 'node_modules', '.bin', 'tsc'), ['-p', '.'], consumer);

    // Assess
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('installs none of what only the handlers, the CLI or the build need', async () => {
    // Act
    const installed = new Set([
      ...(await readdir(join(consumer, 'node_modules'))),
      ...(await readdir(join(consumer, 'node_modules', '@aws-sdk'))).map((name) => `@aws-sdk/${name}`),
    ]);

    // Assess: the project asked for the package, middy, TypeScript and Node's types; nothing else here.
    const unwanted = [
      'tsx',
      'esbuild',
      '@aws-lambda-powertools',
      'aws-cdk-lib',
      'constructs',
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-kms',
      '@aws-sdk/client-sqs',
      '@aws-sdk/client-lambda',
      '@aws-sdk/client-cloudformation',
      '@aws-sdk/client-cloudwatch',
      '@aws-sdk/client-sns',
    ];
    expect(unwanted.filter((name) => installed.has(name))).toEqual([]);
    expect(
      ['@aws-sdk/client-secrets-manager', '@aws-sdk/client-eventbridge'].filter((name) =>
        installed.has(name),
      ),
    ).toHaveLength(2);
  });

  it('(e) runs `npx zoho-tokens --help` and a command help from the installed package', async () => {
    // Act
    const general = await run('npx', ['--no-install', 'zoho-tokens', '--help'], consumer);
    const status = await run('npx', ['--no-install', 'zoho-tokens', 'status', '--help'], consumer);

    // Assess: the very pages the CLI's sources print.
    expect(general).toEqual({ code: 0, stdout: generalHelp(operatorProgram(COMMANDS)), stderr: '' });
    const statusSpec = COMMANDS.find((command) => command.name === 'status');
    expect(statusSpec).toBeDefined();
    expect(status).toEqual({
      code: 0,
      stdout: statusSpec === undefined ? '' : commandHelp(statusSpec),
      stderr: '',
    });
  });
});

describe('an app made by `cdk init app --language typescript`', () => {
  it('(d) synthesizes the construct and a NodejsFunction bound with bindConsumer, bundling only its own function', async () => {
    // Act: cdk.json's app (`npx tsc && npx tsx bin/…`) type-checks the app first.
    const result = await run(join(cdkApp, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet'], cdkApp);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    // esbuild ran for the user's function only; ours came pre-built.
    expect(result.stderr.match(/Bundling asset/g)).toEqual(['Bundling asset']);
    const template = JSON.parse(
      await readFile(join(cdkApp, 'cdk.out', 'Newcomer.template.json'), 'utf8'),
    ) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const functions = Object.entries(template.Resources).filter(
      ([, r]) => r.Type === 'AWS::Lambda::Function',
    );
    const books = functions.filter(([id]) => id.startsWith('Books'));
    expect(books).toHaveLength(1);
    expect(books[0]?.[1].Properties.Environment).toMatchObject({
      Variables: { ZOHO_TOKENS_CONNECTION_ID: BOUND_CONNECTION },
    });
    const ours = functions.filter(([id]) => id.startsWith('ZohoTokens'));
    expect(ours.map(([, r]) => r.Properties.Handler)).toEqual(ours.map(() => 'index.handler'));
    expect(ours).toHaveLength(4);
    const assets = (await readdir(join(cdkApp, 'cdk.out'))).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(5);
  });
});
