/**
 * The newcomers' projects: a consumer Lambda's (plain ESM, CommonJS and strict TypeScript side by
 * side) and a CDK app made by `cdk init app --language typescript` itself.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installedVersion, PROJECT_ROOT, runOk, writeFiles } from './scratch';

/** The consumer's settings, given as options (no binding outside a stack). */
const CONSUMER_OPTIONS = "{ connectionId: 'acme-books', eventBusName: 'zoho-token-refresher' }";

/** What the two scripts print: the library's exports as a consumer reaches them. */
export const EXPORTS_LINE = 'function function ZohoTokenRefresherError';

/**
 * TypeScript as strict as it goes, NodeNext, and our declarations checked too (`skipLibCheck`
 * false): flags a user may set that our sources must survive.
 */
const STRICT_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    exactOptionalPropertyTypes: true,
    noPropertyAccessFromIndexSignature: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    noImplicitReturns: true,
    noFallthroughCasesInSwitch: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: false,
    noEmit: true,
    types: ['node'],
  },
  include: ['src'],
};

/** A consumer handler as the README shows it, plus a typed error classified with instanceof. */
const CONSUMER_HANDLER = `import middy from '@middy/core';
import { TokenExpiredError, zohoTokenMiddleware } from 'zoho-token-refresher/consumer';

const zoho = zohoTokenMiddleware(${CONSUMER_OPTIONS});

export const handler = middy()
  .use(zoho)
  .handler(async (_event: unknown, context) => {
    try {
      const response = await context.zoho.fetch('/books/v3/organizations');
      return (await response.json()) as unknown;
    } catch (error) {
      if (error instanceof TokenExpiredError) return { retryLater: true };
      throw error;
    }
  });
`;

/** The consumer project: ESM package, the tarball, middy, TypeScript and Node's types. */
export async function createConsumerProject(dir: string, tarball: string): Promise<void> {
  const printExports =
    'console.log(typeof createZohoClient, typeof zohoTokenMiddleware, ZohoTokenRefresherError.name);';
  const names = '{ createZohoClient, ZohoTokenRefresherError, zohoTokenMiddleware }';
  await writeFiles(dir, {
    'package.json': `${JSON.stringify(
      {
        name: 'newcomer-consumer',
        private: true,
        type: 'module',
        dependencies: {
          'zoho-token-refresher': `file:${tarball}`,
          '@middy/core': installedVersion('@middy/core'),
        },
        devDependencies: {
          typescript: installedVersion('typescript'),
          '@types/node': installedVersion('@types/node'),
        },
      },
      null,
      2,
    )}\n`,
    'esm.mjs': `import ${names} from 'zoho-token-refresher/consumer';\n${printExports}\n`,
    'cjs.cjs': `const ${names} = require('zoho-token-refresher/consumer');\n${printExports}\n`,
    'tsconfig.json': `${JSON.stringify(STRICT_TSCONFIG, null, 2)}\n`,
    'src/handler.ts': CONSUMER_HANDLER,
  });
}

/** The connection the CDK app's consumer is bound to. */
export const BOUND_CONNECTION = 'acme-books';

/** The stack of `cdk init`, with the refresher and one consumer bound to it. */
const CDK_STACK = `import * as cdk from 'aws-cdk-lib/core';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { ZohoTokenRefresher } from 'zoho-token-refresher/infra';

export class NewcomerStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    const refresher = new ZohoTokenRefresher(this, 'ZohoTokens');
    const books = new nodejs.NodejsFunction(this, 'Books', {
      entry: 'lambda/books.ts',
      runtime: lambda.Runtime.NODEJS_22_X,
    });
    refresher.bindConsumer(books, '${BOUND_CONNECTION}');
  }
}
`;

/**
 * `cdk init app --language typescript` (the aws-cdk CLI this clone uses, its template untouched:
 * tsconfig.json and cdk.json stay as generated), then what a newcomer adds: the package, middy,
 * esbuild for their own NodejsFunction, a stack using the construct and a consumer. The test
 * runner (jest, swc) goes from devDependencies: nothing here runs it, and it is the slowest install.
 */
export async function createCdkApp(dir: string, tarball: string): Promise<void> {
  await runOk(
    join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk'),
    ['init', 'app', '--language', 'typescript', '--generate-only'],
    dir,
  );
  const manifestPath = join(dir, 'package.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  for (const testRunner of ['jest', '@swc/core', '@swc/jest']) delete manifest.devDependencies[testRunner];
  manifest.dependencies = {
    // The versions this clone has, so the install comes from npm's cache.
    'aws-cdk-lib': installedVersion('aws-cdk-lib'),
    constructs: installedVersion('constructs'),
    '@middy/core': installedVersion('@middy/core'),
    'zoho-token-refresher': `file:${tarball}`,
  };
  manifest.devDependencies.esbuild = installedVersion('esbuild');
  manifest.devDependencies['@types/node'] = installedVersion('@types/node');
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  const appName = JSON.parse(await readFile(manifestPath, 'utf8')).name as string;
  await writeFiles(dir, {
    [`lib/${appName}-stack.ts`]: CDK_STACK,
    [`bin/${appName}.ts`]: `import * as cdk from 'aws-cdk-lib/core';\nimport { NewcomerStack } from '../lib/${appName}-stack';\n\nconst app = new cdk.App();\nnew NewcomerStack(app, 'Newcomer');\n`,
    'lambda/books.ts': CONSUMER_HANDLER.replace(CONSUMER_OPTIONS, ''),
  });
}
