/**
 * One Lambda function of the project as the construct builds it: its own role (no AWS managed
 * policy), its own log group with retention, and its handler's code (infra/handler-code.ts).
 */
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HANDLER, handlerCode } from './handler-code';
import { DEFAULT_LOG_RETENTION } from './operations-props';

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

/** A Lambda function (Node 22, arm64) of a project handler, with its role and log group. */
export class ProjectFunction extends Construct {
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly fn: lambda.Function;
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

    this.fn = new lambda.Function(this, 'Function', {
      // Pre-built by `npm run build` (build/handler-bundling.ts), or bundled at synth in a clone.
      code: handlerCode(props.handlerName),
      handler: HANDLER,
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
      // No NODE_OPTIONS=--enable-source-maps: the bundles map their stack traces themselves
      // (functions/aws/source-mapped-stacks.ts).
      environment: props.environment,
      ...props.asyncInvoke,
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
