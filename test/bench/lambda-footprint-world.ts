/**
 * What the `lambda-footprint` benchmark adds to the moto world (moto-world.ts): the
 * functions under test run in child processes that find the emulator through their environment,
 * built here, with the events the functions receive.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { EMULATOR_CREDENTIALS } from '../../dev/emulator/moto-server';
import { consumerEventSource, ENV, TOKEN_REJECTED_DETAIL_TYPE } from '../../functions/aws/names';
import { encodeRefreshOrder } from '../../functions/aws/refresh-order-codec';
import type { Connection } from '../../functions/core/connection';
import type { RefreshOrder } from '../../functions/core/ports';
import type { DeployedFunction } from './lambda-bundles';
import type { MotoWorld } from './moto-world';

/**
 * The function's environment as Lambda would set it: the template's literal variables (NODE_OPTIONS
 * included), its references resolved to the emulator's resources, the simulator allowed as accounts
 * server, and the variables Lambda itself adds. Nothing of this process's environment leaks in.
 */
export function lambdaEnvironment(
  world: Pick<MotoWorld, 'resources' | 'accountsServer' | 'endpoint' | 'region'>,
  fn: DeployedFunction,
  functionName: string,
): Record<string, string> {
  const { resources } = world;
  const references: Record<string, string> = {
    [ENV.tableName]: resources.tableName,
    [ENV.keyId]: resources.keyArn,
    [ENV.eventBusName]: resources.eventBusName,
    [ENV.refreshQueueUrl]: resources.refreshQueueUrl,
  };
  const unknown = fn.referencedVariables.filter((name) => references[name] === undefined);
  if (unknown.length > 0)
    throw new Error(`the template sets ${unknown.join(', ')}, which the bench cannot map`);
  if (fn.literalEnvironment[ENV.secretPrefix] !== resources.secretPrefix) {
    throw new Error(`the template's ${ENV.secretPrefix} differs from the emulator's resources`);
  }
  return {
    ...fn.literalEnvironment,
    ...Object.fromEntries(fn.referencedVariables.map((name) => [name, references[name] ?? ''])),
    [ENV.allowedAccountsServers]: world.accountsServer,
    AWS_ENDPOINT_URL: world.endpoint,
    AWS_REGION: world.region,
    AWS_DEFAULT_REGION: world.region,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    TZ: ':UTC',
  };
}

/** A consumer's "Zoho Token Rejected" report, as the bus delivers it. */
export function onDemandEvent(connectionId: string, version: number) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': TOKEN_REJECTED_DETAIL_TYPE,
    source: consumerEventSource(connectionId),
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: { connectionId, version, status: 401 },
  };
}

/** The order the planner queues for a connection it read: due now, with the item as its snapshot. */
export function plannedOrder(connection: Connection): RefreshOrder {
  return { connectionId: connection.connectionId, dueAt: connection.refreshDueAt, snapshot: connection };
}

/** The refresh queue the event source mapping reads. */
export interface RefreshQueueRef {
  readonly arn: string;
  readonly region: string;
}

/**
 * One batch of the refresh queue as the event source mapping hands it to the worker: a record per
 * order, in order, each body the message the planner sent (functions/aws/refresh-order-codec.ts),
 * first delivery.
 */
export function refreshBatchEvent(orders: readonly RefreshOrder[], queue: RefreshQueueRef): SQSEvent {
  const sent = String(Date.now());
  return { Records: orders.map((order) => refreshRecord(encodeRefreshOrder(order), queue, sent)) };
}

function refreshRecord(body: string, queue: RefreshQueueRef, sentTimestamp: string): SQSRecord {
  const messageId = randomUUID();
  return {
    messageId,
    receiptHandle: `bench-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: sentTimestamp,
      SenderId: 'AROAPLANNER:planner',
      ApproximateFirstReceiveTimestamp: sentTimestamp,
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: queue.region,
  };
}
