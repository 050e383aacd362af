/**
 * One Lambda function of the project as the construct builds it: its own role (no AWS managed
 * policy), its own log group with retention, and the bundling every function shares.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_LOG_RETENTION } from './operations-props';

/** The package root, found from this file so the construct works wherever it is installed. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Entry of a handler, relative to the package root (`functions/<name>/handler.ts`). */
export const handlerEntry = (name: string) => join(PACKAGE_ROOT, 'functions', name, 'handler.ts');

/**
 * ESM output: @middy/core 6 is published as ESM only, and ESM keeps top-level await open to the
 * handlers. Some CommonJS dependencies bundled with it still call `require` (the AWS SDK's
 * optional modules), which ESM lacks, so the banner recreates it.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);";

/**
 * The bundling every function of the project shares (test/bench/cold-start measures the bundles it
 * makes against bundles of only the AWS SDK clients they use, built with these same options).
 */
export const PROJECT_BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  // Error classes name themselves (`new.target.name`) and logs and metrics carry those names:
  // minified, ConfigurationError would log as `Kr`. Stack frames keep the functions' names too.
  keepNames: true,
  // Stack traces point into the TypeScript sources without `--enable-source-maps`, which parses the
  // whole map at every cold start: the injected module reads it only when a stack is formatted.
  sourceMap: true,
  // Sources' paths and positions are all a stack trace needs; their text would triple the map.
  sourcesContent: false,
  inject: [join(PACKAGE_ROOT, 'functions', 'aws', 'source-mapped-stacks.ts')],
  target: 'node22',
  format: nodejs.OutputFormat.ESM,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  // Bundle the AWS SDK too: a pinned, tested SDK instead of whatever the runtime ships.
  externalModules: [],
};

export interface ProjectFunctionProps {
  /** Folder under `functions/` holding `handler.ts`. */
  readonly handlerName: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly reservedConcurrentExecutions?: number;
  readonly environment: Record<string, string>;
  readonly removalPolicy: RemovalPolicy;
  /** @default DEFAULT_LOG_RETENTION (three months) */
  readonly logRetention?: logs.RetentionDays;
  /** @default lambda.Tracing.DISABLED (the construct prop `tracing` says why) */
  readonly tracing?: lambda.Tracing;
  /** Async-invocation settings (retries, age, on-failure destination). */
  readonly asyncInvoke?: Pick<lambda.FunctionOptions, 'retryAttempts' | 'maxEventAge' | 'onFailure'>;
}

/** A NodejsFunction (Node 22, arm64) with its role and log group. */
export class ProjectFunction extends Construct {
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly fn: nodejs.NodejsFunction;
  /** Its X-Ray mode (its findings depend on it). */
  readonly tracing: lambda.Tracing;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    super(scope, id);
    this.tracing = props.tracing ?? lambda.Tracing.DISABLED;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? DEFAULT_LOG_RETENTION,
      removalPolicy: props.removalPolicy,
    });
    // Instead of AWSLambdaBasicExecutionRole (logs:* on every group): write to this group only.
    this.logGroup.grantWrite(this.role);

    const lockFile = join(PACKAGE_ROOT, 'package-lock.json');
    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: handlerEntry(props.handlerName),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      // Graviton: about 20 % cheaper per GB-second, and nothing here is x86-specific.
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      role: this.role,
      logGroup: this.logGroup,
      tracing: this.tracing,
      // No NODE_OPTIONS=--enable-source-maps: see PROJECT_BUNDLING.
      environment: props.environment,
      ...props.asyncInvoke,
      // Outside this repository (installed as a package) there is no lock file: CDK looks from the cwd.
      ...(existsSync(lockFile) ? { depsLockFilePath: lockFile, projectRoot: PACKAGE_ROOT } : {}),
      // test/bench/lambda-bundles.ts synthesizes exactly this bundling for the lambda-footprint
      // benchmark, which runs the result (node22 target included) on Node 20 as well.
      bundling: PROJECT_BUNDLING,
    });
  }
}

/**
 * An on-failure destination that grants only sqs:SendMessage (what Lambda uses to deliver), where
 * the stock SqsDestination also grants GetQueueAttributes and GetQueueUrl.
 */
export function queueDestination(queue: sqs.IQueue): lambda.IDestination {
  return {
    bind(_scope, fn) {
      fn.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'OnFailureDestination',
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
        }),
      );
      return { destination: queue.queueArn };
    },
  };
}
