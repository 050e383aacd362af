/**
 * What the workshop reads of the stack's synthesized template: the resources the outputs name, the
 * alarms under their construct ids, and a refusal for a rule it could not stand in for.
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalResourceError } from '../../../../dev/resources/resources-table';
import { type CfnTemplate, synthesizeTemplate } from '../../../../dev/resources/stack-template';
import { localStackSpec } from '../../../../dev/resources/template-spec';
import { TABLE_SCHEMA } from '../../../../functions/aws/table';
import { ALARM_SPECS } from '../../../../infra/alarm-specs';
import { CONNECT_ALARM_SPECS } from '../../../../infra/connect-alarm-specs';

let template: CfnTemplate;

beforeAll(async () => {
  template = await synthesizeTemplate();
}, 60_000);

describe('localStackSpec', () => {
  it('reads the table, the queues and the rule of the bus the outputs name', () => {
    // Act
    const spec = localStackSpec(template);

    // Assess
    expect(spec.table.KeySchema).toEqual([
      { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
    ]);
    expect(spec.table.GlobalSecondaryIndexes.map((index) => index.IndexName).sort()).toEqual(
      [TABLE_SCHEMA.dueIndex.name, TABLE_SCHEMA.retryIndex.name].sort(),
    );
    expect(spec.table).toMatchObject({ ttlAttribute: TABLE_SCHEMA.ttlAttribute, pointInTimeRecovery: true });
    expect(spec.key.rotation).toBe(true);
    expect(spec.queues.refreshQueueUrl.redrive).toEqual({
      deadLetterQueue: 'refreshDeadLetterQueueUrl',
      maxReceiveCount: 5,
    });
    expect(spec.queues.refreshDeadLetterQueueUrl.redrive).toBeUndefined();
    expect(spec.queues.deadLetterQueueUrl.redrive).toBeUndefined();
    expect(spec.rules.map((rule) => rule.targetFunction)).toEqual(['onDemandFunctionName']);
  });

  it('finds every alarm of the specs under its id, and what each refers to', () => {
    // Act
    const spec = localStackSpec(template);

    // Assess
    expect(spec.alarms.map((alarm) => alarm.id).sort()).toEqual(ALARM_SPECS.map((alarm) => alarm.id).sort());
    const expired = spec.alarms.find((alarm) => alarm.id === 'ExpiredTokens');
    const topic = Object.keys(spec.outputOf).find((id) => spec.outputOf[id] === 'alarmTopicArn');
    expect(expired?.references).toEqual([topic, topic]);
  });

  it('reads a stack with the connect endpoint too: its failures alarm refers to the topic only, its function alarms to the function', async () => {
    // Prepare
    const withEndpoint = await synthesizeTemplate({ refresher: { connectEndpoint: true } });

    // Act
    const spec = localStackSpec(withEndpoint);

    // Assess
    const ids = [...ALARM_SPECS, ...CONNECT_ALARM_SPECS].map((alarm) => alarm.id);
    expect(spec.alarms.map((alarm) => alarm.id).sort()).toEqual(ids.sort());
    const topic = Object.keys(spec.outputOf).find((id) => spec.outputOf[id] === 'alarmTopicArn');
    const referencesOf = (id: string) => spec.alarms.find((alarm) => alarm.id === id)?.references;
    // An emulator can hold an alarm on the refresher's own metrics; `init` leaves out a function's.
    expect(referencesOf('ConnectFailures')).toEqual([topic, topic]);
    const errors = referencesOf('ConnectErrors') ?? [];
    expect(errors).toHaveLength(3);
    expect(errors.filter((id) => id !== topic)).toHaveLength(1);
  }, 60_000);

  it('refuses a rule on the bus whose target is no function of the stack', async () => {
    // Prepare: an edit of the construct that sends reports to a queue instead
    const changed = await synthesizeTemplate({
      change: (stack) => {
        const queue = new sqs.Queue(stack, 'Elsewhere');
        new events.Rule(stack, 'ToQueue', {
          eventBus: stack.refresher.eventBus,
          eventPattern: { source: ['x'] },
          targets: [new targets.SqsQueue(queue)],
        });
      },
    });

    // Act
    const read = () => localStackSpec(changed);

    // Assess
    expect(read).toThrow(LocalResourceError);
    expect(read).toThrow(/^Rule ToQueue[0-9A-F]{8} of the stack's template targets something other than/);
  }, 60_000);
});
