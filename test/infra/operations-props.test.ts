/**
 * The props of how the refresher is run and watched: the alarm topic (its own or the team's), the
 * alarm e-mail (a token too), the log retention and tracing; and the context keys of the app.
 */
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../functions/core/errors';
import { settingsFromContext } from '../../infra/app-context';
import { createApp } from '../../infra/create-app';
import { addRefresherOutputs } from '../../infra/outputs';
import { ZohoTokenRefresher, type ZohoTokenRefresherProps } from '../../infra/zoho-token-refresher';
import { ZohoTokenRefresherStack } from '../../infra/zoho-token-refresher-stack';
import { cdkJsonContext, logicalId, roleStatements, TEST_ENV, templateOf, testApp } from './infra-support';

const TEAM_TOPIC = `arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:team-alarms`;

/** A refresher in a stack of its own; `props` may use the stack (a topic, a parameter). */
function refresherIn(props: (stack: Stack) => ZohoTokenRefresherProps = () => ({})) {
  const stack = new Stack(testApp(), 'Test', { env: TEST_ENV });
  const refresher = new ZohoTokenRefresher(stack, 'Refresher', props(stack));
  return { stack, refresher };
}

type Resource = { Properties: Record<string, unknown> };
const resourcesOf = (template: Template, type: string) =>
  Object.values(template.findResources(type)) as Resource[];

describe('existingAlarmTopic', () => {
  it('routes every alarm, on ALARM and OK, to the given topic and creates no topic or topic key', () => {
    // Prepare
    const { stack, refresher } = refresherIn((scope) => ({
      existingAlarmTopic: sns.Topic.fromTopicArn(scope, 'TeamAlarms', TEAM_TOPIC),
    }));
    addRefresherOutputs(stack, refresher);
    // Act
    const template = templateOf(stack);
    // Assess
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
    // The refresh-token key is the only key left.
    expect(resourcesOf(template, 'AWS::KMS::Key')).toHaveLength(1);
    expect(refresher.alarmTopic.key).toBeUndefined();
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    expect(alarms.map((alarm) => [alarm.Properties.AlarmActions, alarm.Properties.OKActions])).toEqual(
      Array(alarms.length).fill([[TEAM_TOPIC], [TEAM_TOPIC]]),
    );
    expect(template.toJSON().Outputs.AlarmTopicArn.Value).toBe(TEAM_TOPIC);
  });

  it('refuses an alarmEmail as well: the team subscribes to its own topic', () => {
    expect(() =>
      refresherIn((scope) => ({
        existingAlarmTopic: sns.Topic.fromTopicArn(scope, 'TeamAlarms', TEAM_TOPIC),
        alarmEmail: 'ops@example.com',
      })),
    ).toThrow(/ZohoTokenRefresher: alarmEmail and existingAlarmTopic exclude each other/);
  });

  it("comes from the app's context (alarmTopicArn) through createApp", () => {
    // Prepare
    const context = { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], alarmTopicArn: TEAM_TOPIC };
    // Act
    const { stack } = createApp({ context });
    // Assess
    const template = templateOf(stack);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [TEAM_TOPIC],
      OKActions: [TEAM_TOPIC],
    });
  });

  it('comes from the stack prop (context alarmTopicArn), but not together with the construct prop', () => {
    // Prepare + Act
    const stack = new ZohoTokenRefresherStack(testApp(), 'Zoho', {
      env: TEST_ENV,
      alarmTopicArn: TEAM_TOPIC,
    });
    // Assess
    const template = templateOf(stack);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [TEAM_TOPIC] });
    const both = () =>
      new ZohoTokenRefresherStack(new App(), 'Both', {
        alarmTopicArn: TEAM_TOPIC,
        refresher: { existingAlarmTopic: sns.Topic.fromTopicArn(new Stack(), 'T', TEAM_TOPIC) },
      });
    expect(both).toThrow(/alarmTopicArn and refresher.existingAlarmTopic exclude each other/);
  });
});

describe('alarmEmail', () => {
  it('takes a token (a CfnParameter) unchecked and subscribes it', () => {
    // Prepare
    const { stack } = refresherIn((scope) => ({
      alarmEmail: new CfnParameter(scope, 'AlarmEmail', { type: 'String' }).valueAsString,
    }));
    // Act
    const template = templateOf(stack);
    // Assess
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: { Ref: 'AlarmEmail' },
    });
  });
});

describe('logRetention', () => {
  const retentions = (template: Template) =>
    resourcesOf(template, 'AWS::Logs::LogGroup').map((group) => group.Properties.RetentionInDays);

  it('keeps three months by default and takes any logs.RetentionDays, or a token', () => {
    expect(retentions(templateOf(refresherIn().stack))).toEqual([90, 90, 90, 90]);
    expect(
      retentions(templateOf(refresherIn(() => ({ logRetention: logs.RetentionDays.ONE_YEAR })).stack)),
    ).toEqual([365, 365, 365, 365]);
    const { stack } = refresherIn((scope) => ({
      logRetention: new CfnParameter(scope, 'Days', { type: 'Number' }).valueAsNumber,
    }));
    expect(retentions(templateOf(stack))).toEqual(Array(4).fill({ Ref: 'Days' }));
  });

  it('refuses a number of days CloudWatch Logs does not offer', () => {
    expect(() => refresherIn(() => ({ logRetention: 42 as logs.RetentionDays }))).toThrow(ConfigurationError);
    expect(() => refresherIn(() => ({ logRetention: 42 as logs.RetentionDays }))).toThrow(
      /ZohoTokenRefresher: logRetention must be one of logs.RetentionDays \(got 42\)/,
    );
  });
});

describe('tracing', () => {
  const XRAY = {
    Effect: 'Allow',
    Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
    Resource: '*',
  };
  const functionsOf = (refresher: ZohoTokenRefresher) => [
    refresher.plannerFunction,
    refresher.refreshWorkerFunction,
    refresher.onDemandFunction,
    refresher.operatorFunction,
  ];

  it('is off by default: no tracing config and no X-Ray action in any role', () => {
    // Prepare + Act
    const { stack, refresher } = refresherIn();
    const template = templateOf(stack);
    // Assess
    expect(resourcesOf(template, 'AWS::Lambda::Function').map((fn) => fn.Properties.TracingConfig)).toEqual(
      Array(4).fill(undefined),
    );
    for (const fn of functionsOf(refresher)) {
      expect(roleStatements(template, fn.role as never)).not.toContainEqual(XRAY);
    }
  });

  it("when active, traces each function and gives each role exactly CDK's two X-Ray actions", () => {
    // Prepare + Act
    const { stack, refresher } = refresherIn(() => ({ tracing: lambda.Tracing.ACTIVE }));
    const template = templateOf(stack);
    // Assess
    for (const fn of functionsOf(refresher)) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: { 'Fn::GetAtt': [logicalId(fn.role as never), 'Arn'] },
        TracingConfig: { Mode: 'Active' },
      });
      const statements = roleStatements(template, fn.role as never);
      expect(statements.filter((statement) => JSON.stringify(statement).includes('xray:'))).toEqual([XRAY]);
    }
  });

  it('refuses a mode lambda.Tracing does not have', () => {
    expect(() => refresherIn(() => ({ tracing: 'On' as lambda.Tracing }))).toThrow(
      /ZohoTokenRefresher: tracing must be one of lambda.Tracing \(got "On"\)/,
    );
  });
});

describe('context of cdk deploy (instances and operations)', () => {
  const settings = (context: Record<string, unknown>) => settingsFromContext(new App({ context }).node);

  it('reads the instance name, namespace, alarm topic, log retention and tracing', () => {
    const read = settings({
      instanceName: 'dev',
      metricsNamespace: 'Team/Zoho',
      alarmTopicArn: TEAM_TOPIC,
      logRetentionDays: '365',
      tracing: 'true',
    });
    expect(read.alarmTopicArn).toBe(TEAM_TOPIC);
    expect(read.refresher).toEqual({
      instanceName: 'dev',
      metricsNamespace: 'Team/Zoho',
      logRetention: logs.RetentionDays.ONE_YEAR,
      tracing: lambda.Tracing.ACTIVE,
    });
    expect(settings({ tracing: false }).refresher).toEqual({ tracing: lambda.Tracing.DISABLED });
    expect(settings({})).toEqual({ stackName: 'ZohoTokenRefresher', refresher: {} });
  });

  it.each([
    [{ logRetentionDays: 42 }, /context 'logRetentionDays' must be one of 1, 3, 5, .* \(got 42\)/],
    [
      { alarmTopicArn: 'team-alarms' },
      /context 'alarmTopicArn' must be the ARN of an SNS topic \(got "team-alarms"\)/,
    ],
    [{ tracing: 'active' }, /context 'tracing' must be true or false/],
    [{ instanceName: '' }, /context 'instanceName' must be a non-empty string/],
  ])('refuses context %j', (context, message) => {
    expect(() => settings(context)).toThrow(message);
  });

  it('hands the named instance to the stack, whose outputs keep the plain keys the CLI reads', () => {
    // Prepare
    const app = testApp({ context: { instanceName: 'dev', stackName: 'ZohoDev' } });
    const { refresher } = settingsFromContext(app.node);
    // Act
    const stack = new ZohoTokenRefresherStack(app, 'ZohoDev', { env: TEST_ENV, refresher });
    // Assess
    const outputs = templateOf(stack).toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.TableName?.Value).toEqual({ Ref: logicalId(stack.refresher.table) });
    expect(outputs.MetricsService?.Value).toBe('zoho-token-refresher-dev');
    expect(outputs.SecretPrefix?.Value).toBe('zoho-token-refresher-dev');
    expect(Object.keys(outputs).filter((key) => key.startsWith('Dev'))).toEqual([]);
  });
});
