/**
 * Doctor checks of the deployment (or the emulator): table, bus, key, alarms and their subscribers,
 * and in AWS the functions' configuration against the stack's outputs.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeEventBusCommand } from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ENV } from '../../functions/aws/names';
import type { AwsTarget, TargetClients } from '../aws-target';
import { alarmChecks } from './alarm-checks';
import { type Check, errorName, fail, guarded, ok, warn } from './check';
import { queueChecks } from './queue-checks';

const fixMissing = (target: AwsTarget) =>
  target.local
    ? "run 'npm run local -- init --aws-endpoint …' (or name it with the --table/--bus/--key flags)"
    : "deploy the stack ('npx cdk deploy') or point --stack / --table / --bus / --key at it";

export async function stackChecks(target: AwsTarget, clients: TargetClients): Promise<Check[]> {
  const { names } = target;
  const checks = await Promise.all([
    guarded('table', async () => {
      try {
        const { Table } = await clients.dynamodb.send(
          new DescribeTableCommand({ TableName: names.tableName }),
        );
        return Table?.TableStatus === 'ACTIVE'
          ? ok('table', `table ${names.tableName} is active`)
          : warn('table', `table ${names.tableName} is ${Table?.TableStatus ?? 'in an unknown state'}`);
      } catch (error) {
        return fail(
          'table',
          `table ${names.tableName} cannot be read (${errorName(error)})`,
          fixMissing(target),
        );
      }
    }),
    guarded('bus', async () => {
      try {
        await clients.eventBridge.send(new DescribeEventBusCommand({ Name: names.eventBusName }));
        return ok('bus', `event bus ${names.eventBusName} exists`);
      } catch (error) {
        return fail(
          'bus',
          `event bus ${names.eventBusName} cannot be read (${errorName(error)})`,
          fixMissing(target),
        );
      }
    }),
    guarded('key', async () => {
      try {
        const { KeyMetadata } = await clients.kms.send(new DescribeKeyCommand({ KeyId: names.keyId }));
        return KeyMetadata?.Enabled === true
          ? ok('key', `refresh-token key ${names.keyId} is enabled`)
          : fail(
              'key',
              `refresh-token key ${names.keyId} is ${KeyMetadata?.KeyState ?? 'not enabled'}: no refresh token can be decrypted`,
              'enable the key (or cancel its deletion) in KMS',
            );
      } catch (error) {
        return fail(
          'key',
          `refresh-token key ${names.keyId} cannot be described (${errorName(error)})`,
          fixMissing(target),
        );
      }
    }),
    guarded('refresh queue', () => queueChecks(target, clients)),
    guarded('alarms', () => alarmChecks(target, clients)),
    ...(target.local ? [] : [guarded('functions', () => functionChecks(target, clients))]),
  ]);
  return checks.flat();
}

/** The deployed functions must read exactly the table, bus, key and prefix the CLI acts on. */
async function functionChecks(target: AwsTarget, clients: TargetClients): Promise<Check[]> {
  const { names } = target;
  const functions = [
    ['planner function', names.plannerFunctionName],
    ['refresh worker function', names.refreshWorkerFunctionName],
    ['on-demand function', names.onDemandFunctionName],
    ['operator function', names.operatorFunctionName],
  ] as const;
  const checks: Check[] = [];
  for (const [what, functionName] of functions) {
    if (functionName === undefined) {
      checks.push(
        target.stackName === undefined
          ? warn(what, `the ${what} is not known without the stack's outputs`, 'pass --stack to check it')
          : warn(
              what,
              `stack ${target.stackName} does not name the ${what} in its outputs`,
              'deploy the stack again with this version (older stacks lack the output)',
            ),
      );
      continue;
    }
    const config = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: functionName }),
    );
    const env = config.Environment?.Variables ?? {};
    const expected: [string, string][] = [
      [ENV.tableName, names.tableName],
      [ENV.eventBusName, names.eventBusName],
      [ENV.secretPrefix, names.secretPrefix],
      [ENV.keyId, names.keyId],
    ];
    const wrong = expected.filter(([variable, value]) => env[variable] !== value);
    checks.push(
      wrong.length === 0
        ? ok(what, `${functionName} reads this table, bus, key and secret prefix`)
        : fail(
            what,
            `${functionName} is configured differently: ${wrong.map(([variable, value]) => `${variable} is ${JSON.stringify(env[variable] ?? null)}, expected ${JSON.stringify(value)}`).join('; ')}`,
            'redeploy the stack, or point the CLI at the stack the functions belong to (--stack)',
          ),
    );
  }
  if (names.deadLetterQueueUrl !== undefined) {
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: names.deadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    const waiting = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    checks.push(
      waiting === 0
        ? ok('dead-letter queue', 'the dead-letter queue is empty')
        : warn(
            'dead-letter queue',
            `${waiting} failed event(s) wait in the dead-letter queue`,
            'read them, fix the cause, then purge the queue',
          ),
    );
  }
  return checks;
}
