/**
 * What a stack deploys, read from the synthesized template of the construct (no bundling: the
 * resources' properties only): each function's memory, timeout and environment, the worker's event
 * source (batch size, maximum concurrency), the refresh queue (visibility timeout, receives before
 * the dead-letter queue) and the planner's schedule. The fleet simulation runs with exactly these.
 */
import { Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { PLANNER_RATE } from '../../../infra/refresher-props';
import type { ZohoTokenRefresherProps } from '../../../infra/zoho-token-refresher';
import { synthesizedRefresher } from '../../infra/infra-support';

export interface DeployedFunctionSettings {
  readonly memoryMb: number;
  readonly timeoutMs: number;
  /** The variables with a literal value (settings), as the function's configuration reads them. */
  readonly literalEnvironment: Readonly<Record<string, string>>;
}

export interface DeployedSettings {
  readonly planner: DeployedFunctionSettings & { readonly periodMs: number };
  readonly worker: DeployedFunctionSettings & {
    readonly batchSize: number;
    readonly maximumConcurrency: number;
  };
  readonly queue: { readonly visibilityTimeoutMs: number; readonly maxReceiveCount: number };
}

type Resource = { readonly Type: string; readonly Properties: Record<string, unknown> };

/** Synthesizes the construct with `props` and reads the fleet's settings off its template. */
export function deployedSettings(props: ZohoTokenRefresherProps): DeployedSettings {
  const { refresher, template } = synthesizedRefresher(props);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const resource = (logicalId: string) => {
    const found = resources[logicalId];
    if (!found) throw new Error(`deployed-settings: no resource ${logicalId} in the template`);
    return found.Properties;
  };
  const idOf = (element: CfnFunction | CfnQueue) => Stack.of(element).getLogicalId(element);
  const fn = (element: CfnFunction): DeployedFunctionSettings => {
    const properties = resource(idOf(element)) as {
      MemorySize: number;
      Timeout: number;
      Environment?: { Variables?: Record<string, unknown> };
    };
    return {
      memoryMb: properties.MemorySize,
      timeoutMs: properties.Timeout * 1000,
      literalEnvironment: Object.fromEntries(
        Object.entries(properties.Environment?.Variables ?? {}).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      ),
    };
  };
  const workerId = idOf(refresher.refreshWorkerFunction.node.defaultChild as CfnFunction);
  const mapping = Object.values(resources).find(
    (candidate) =>
      candidate.Type === 'AWS::Lambda::EventSourceMapping' &&
      JSON.stringify(candidate.Properties.FunctionName).includes(workerId),
  );
  const mappingProperties = mapping?.Properties as
    | { BatchSize?: number; ScalingConfig?: { MaximumConcurrency?: number } }
    | undefined;
  if (
    mappingProperties?.BatchSize === undefined ||
    mappingProperties.ScalingConfig?.MaximumConcurrency === undefined
  ) {
    throw new Error(
      'deployed-settings: the worker has no event source with a batch size and maximum concurrency',
    );
  }
  const queue = resource(idOf(refresher.refreshQueue.node.defaultChild as CfnQueue)) as {
    VisibilityTimeout: number;
    RedrivePolicy: { maxReceiveCount: number };
  };
  return {
    planner: {
      ...fn(refresher.plannerFunction.node.defaultChild as CfnFunction),
      periodMs: PLANNER_RATE.toMilliseconds(),
    },
    worker: {
      ...fn(refresher.refreshWorkerFunction.node.defaultChild as CfnFunction),
      batchSize: mappingProperties.BatchSize,
      maximumConcurrency: mappingProperties.ScalingConfig.MaximumConcurrency,
    },
    queue: {
      visibilityTimeoutMs: queue.VisibilityTimeout * 1000,
      maxReceiveCount: queue.RedrivePolicy.maxReceiveCount,
    },
  };
}
