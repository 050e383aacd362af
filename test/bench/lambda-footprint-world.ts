/**
 * What the `lambda-footprint` benchmark adds to the moto world (moto-world.ts): the
 * functions under test run in child processes that find the emulator through their environment,
 * built here, with the events the two functions receive.
 */
import { randomUUID } from 'node:crypto';
import { EMULATOR_CREDENTIALS } from '../../dev/emulator/moto-server';
import { consumerEventSource, ENV, TOKEN_REJECTED_DETAIL_TYPE } from '../../functions/aws/names';
import type { DeployedFunction } from './lambda-bundles';
import type { MotoWorld } from './moto-world';

/**
 * The function's environment as Lambda would set it: the template's literal variables (NODE_OPTIONS
 * included), its references resolved to the emulator's resources, the simulator allowed as accounts
 * server, and the variables Lambda itself adds. Nothing of this process's environment leaks in.
 */
export function lambdaEnvironment(world: MotoWorld, fn: DeployedFunction, functionName: string) {
  const { resources } = world;
  const references: Record<string, string> = {
    [ENV.tableName]: resources.tableName,
    [ENV.keyId]: resources.keyArn,
    [ENV.eventBusName]: resources.eventBusName,
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
