/**
 * Several refreshers in one account and region (a dev and a prod stack, or two in one stack): each
 * watches only its own metrics, keeps its own secrets and outputs, and two that would share any of
 * them fail the synth. A single refresher keeps every default.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../functions/core/errors';
import { ALARM_SPECS } from '../../infra/alarm-specs';
import { addRefresherOutputs, OUTPUT_KEYS } from '../../infra/outputs';
import { ZohoTokenRefresher, type ZohoTokenRefresherProps } from '../../infra/zoho-token-refresher';
import { logicalId, refresherStack, TEST_ENV, testApp } from './infra-support';

type Resource = { Properties: Record<string, unknown> };

/** Namespace and `service` of every alarm on a refresher metric of `refresher`, by spec id. */
function refresherMetricsWatched(template: Template, refresher: ZohoTokenRefresher) {
  const alarms = template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>;
  return ALARM_SPECS.filter((spec) => spec.source.kind === 'refresher').map((spec) => {
    const alarm = refresher.alarms.node.findChild(spec.id) as cloudwatch.Alarm;
    const properties = alarms[logicalId(alarm)]?.Properties ?? {};
    return {
      id: spec.id,
      namespace: properties.Namespace,
      dimensions: properties.Dimensions,
      metric: properties.MetricName,
    };
  });
}

/** The environment of every function of a template, by logical id. */
function functionEnvironments(template: Template) {
  const functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
  return Object.fromEntries(
    Object.entries(functions).map(([id, fn]) => [
      id,
      (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    ]),
  );
}

/** The `service` values a refresher's dashboard graphs and searches (its body, tokens left out). */
function dashboardServices(template: Template, refresher: ZohoTokenRefresher) {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const body = resources[logicalId(refresher.dashboard.dashboard)]?.Properties.DashboardBody as {
    'Fn::Join': [string, unknown[]];
  };
  const text = body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  const distinct = (pattern: RegExp) => [...new Set([...text.matchAll(pattern)].map((match) => match[1]))];
  return {
    graphed: distinct(/"service","([^"]+)"/g),
    searched: distinct(/service=\\"([^"\\]+)\\"/g),
  };
}

describe('two refreshers in one stack', () => {
  let template: Template;
  let prod: ZohoTokenRefresher;
  let dev: ZohoTokenRefresher;

  beforeAll(() => {
    // Prepare
    const stack = new Stack(testApp(), 'Zoho', { env: TEST_ENV });
    prod = new ZohoTokenRefresher(stack, 'Prod');
    dev = new ZohoTokenRefresher(stack, 'Dev', { instanceName: 'dev' });
    // Act: the second call threw "There is already a Construct with name 'TableName'".
    addRefresherOutputs(stack, prod);
    addRefresherOutputs(stack, dev);
    template = Template.fromStack(stack);
  });

  it('alarm on disjoint metrics: the default service for the first, its own for the named one', () => {
    const service = (value: string) => [{ Name: 'service', Value: value }];
    const watchedByProd = refresherMetricsWatched(template, prod);
    const watchedByDev = refresherMetricsWatched(template, dev);
    expect(watchedByProd).toHaveLength(9);
    expect(watchedByProd.map(({ namespace, dimensions }) => ({ namespace, dimensions }))).toEqual(
      Array(9).fill({ namespace: 'ZohoTokenRefresher', dimensions: service('zoho-token-refresher') }),
    );
    expect(watchedByDev.map(({ namespace, dimensions }) => ({ namespace, dimensions }))).toEqual(
      Array(9).fill({ namespace: 'ZohoTokenRefresher', dimensions: service('zoho-token-refresher-dev') }),
    );
    // The same metric names: only the dimension tells them apart, and it does for every alarm.
    expect(watchedByDev.map(({ metric }) => metric)).toEqual(watchedByProd.map(({ metric }) => metric));
  });

  it("alarm on each one's own functions and dead-letter queue", () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>;
    const watched = (refresher: ZohoTokenRefresher, id: string) =>
      alarms[logicalId(refresher.alarms.node.findChild(id) as cloudwatch.Alarm)]?.Properties.Dimensions;
    expect(watched(prod, 'OperatorErrors')).toEqual([
      { Name: 'FunctionName', Value: { Ref: logicalId(prod.operatorFunction) } },
    ]);
    expect(watched(dev, 'OperatorErrors')).toEqual([
      { Name: 'FunctionName', Value: { Ref: logicalId(dev.operatorFunction) } },
    ]);
    expect(watched(dev, 'DeadLetterQueueNotEmpty')).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(dev.deadLetterQueue), 'QueueName'] } },
    ]);
  });

  it('have alarms and dashboards of their own, named by CloudFormation (unique per stack and path)', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    expect(alarms).toHaveLength(2 * ALARM_SPECS.length);
    expect(alarms.filter((alarm) => 'AlarmName' in alarm.Properties)).toEqual([]);
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
    expect(dashboards).toHaveLength(2);
    expect(dashboards.filter((dashboard) => 'DashboardName' in dashboard.Properties)).toEqual([]);
  });

  it('show on each dashboard the metrics of its own refresher only, graphs and SEARCHes alike', () => {
    expect(dashboardServices(template, prod)).toEqual({
      graphed: ['zoho-token-refresher'],
      searched: ['zoho-token-refresher'],
    });
    expect(dashboardServices(template, dev)).toEqual({
      graphed: ['zoho-token-refresher-dev'],
      searched: ['zoho-token-refresher-dev'],
    });
  });

  it('give their functions their own namespace, service and secret prefix', () => {
    const environments = functionEnvironments(template);
    const identity = (refresher: ZohoTokenRefresher) =>
      [
        refresher.plannerFunction,
        refresher.refreshWorkerFunction,
        refresher.onDemandFunction,
        refresher.operatorFunction,
      ].map((fn) => {
        const env = environments[logicalId(fn)] ?? {};
        return [env.POWERTOOLS_METRICS_NAMESPACE, env.POWERTOOLS_SERVICE_NAME, env.SECRET_PREFIX];
      });
    expect(identity(prod)).toEqual(
      Array(4).fill(['ZohoTokenRefresher', 'zoho-token-refresher', 'zoho-token-refresher']),
    );
    expect(identity(dev)).toEqual(
      Array(4).fill(['ZohoTokenRefresher', 'zoho-token-refresher-dev', 'zoho-token-refresher-dev']),
    );
  });

  it("output the default refresher under today's keys and the named one under its prefix, without collision", () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const keys = Object.values(OUTPUT_KEYS).filter(
      (key) =>
        key !== OUTPUT_KEYS.consumerPolicyArn &&
        key !== OUTPUT_KEYS.exampleConsumerFunctionName &&
        key !== OUTPUT_KEYS.connectBaseUrl &&
        key !== OUTPUT_KEYS.connectRedirectUri,
    );
    expect(Object.keys(outputs).sort()).toEqual([...keys, ...keys.map((key) => `Dev${key}`)].sort());
    expect(outputs.TableName?.Value).toEqual({ Ref: logicalId(prod.table) });
    expect(outputs.DevTableName?.Value).toEqual({ Ref: logicalId(dev.table) });
    expect(outputs.MetricsService?.Value).toBe('zoho-token-refresher');
    expect(outputs.DevMetricsService?.Value).toBe('zoho-token-refresher-dev');
    expect(outputs.DevSecretPrefix?.Value).toBe('zoho-token-refresher-dev');
  });
});

describe('refreshers that would share', () => {
  const inOneStack = (first: ZohoTokenRefresherProps, second: ZohoTokenRefresherProps) => () => {
    const stack = new Stack(testApp(), 'Zoho', { env: TEST_ENV });
    new ZohoTokenRefresher(stack, 'First', first);
    new ZohoTokenRefresher(stack, 'Second', second);
  };

  it.each<[string, ZohoTokenRefresherProps, ZohoTokenRefresherProps, RegExp]>([
    [
      'metrics (neither named)',
      {},
      {},
      /Zoho\/Second and Zoho\/First would write the same metrics \(namespace ZohoTokenRefresher, service zoho-token-refresher\).*give each refresher its own instanceName/,
    ],
    [
      'metrics (the same name)',
      { instanceName: 'dev' },
      { instanceName: 'dev' },
      /would write the same metrics/,
    ],
    [
      'secrets (one prefix)',
      {},
      { instanceName: 'dev', secretPrefix: 'zoho-token-refresher' },
      /would share secrets \(prefixes 'zoho-token-refresher' and 'zoho-token-refresher'\)/,
    ],
    [
      "secrets (a prefix under the other's: IAM's * spans /)",
      {},
      { instanceName: 'dev', secretPrefix: 'zoho-token-refresher/dev' },
      /would share secrets \(prefixes 'zoho-token-refresher\/dev' and 'zoho-token-refresher'\)/,
    ],
    [
      'outputs (the same name, metrics and prefixes apart)',
      { instanceName: 'dev', metricsNamespace: 'A', secretPrefix: 'a' },
      { instanceName: 'dev', metricsNamespace: 'B', secretPrefix: 'b' },
      /are in one stack under the same instanceName, so their outputs would collide/,
    ],
  ])('fail the synth: %s', (_case, first, second, message) => {
    expect(inOneStack(first, second)).toThrow(ConfigurationError);
    expect(inOneStack(first, second)).toThrow(message);
  });

  it('are refused across two stacks of one account and region, and across environment-agnostic stacks', () => {
    const twoStacks = (envA?: typeof TEST_ENV, envB?: typeof TEST_ENV) => () => {
      const app = testApp();
      new ZohoTokenRefresher(new Stack(app, 'ZohoDev', { ...(envA && { env: envA }) }), 'Zoho');
      new ZohoTokenRefresher(new Stack(app, 'ZohoProd', { ...(envB && { env: envB }) }), 'Zoho');
    };
    expect(twoStacks(TEST_ENV, TEST_ENV)).toThrow(
      /ZohoProd\/Zoho and ZohoDev\/Zoho would write the same metrics/,
    );
    expect(twoStacks()).toThrow(ConfigurationError);
    // One stack's account is unknown until deployment: it may be the other's.
    expect(twoStacks(TEST_ENV)).toThrow(ConfigurationError);
  });

  it('are allowed in other accounts or regions, and with distinct instance names', () => {
    const app = testApp();
    new ZohoTokenRefresher(new Stack(app, 'A', { env: TEST_ENV }), 'Zoho');
    new ZohoTokenRefresher(new Stack(app, 'B', { env: { ...TEST_ENV, account: '444455556666' } }), 'Zoho');
    new ZohoTokenRefresher(new Stack(app, 'C', { env: { ...TEST_ENV, region: 'us-east-1' } }), 'Zoho');
    const dev = new ZohoTokenRefresher(new Stack(app, 'D', { env: TEST_ENV }), 'Zoho', {
      instanceName: 'dev',
    });
    const other = new ZohoTokenRefresher(new Stack(app, 'E', { env: TEST_ENV }), 'Zoho', {
      instanceName: 'staging2',
      metricsNamespace: 'Team/Zoho',
    });
    expect(dev.settings.identity.metrics).toEqual({
      namespace: 'ZohoTokenRefresher',
      service: 'zoho-token-refresher-dev',
    });
    expect(other.settings.identity.metrics).toEqual({
      namespace: 'Team/Zoho',
      service: 'zoho-token-refresher-staging2',
    });
  });
});

describe('instance props', () => {
  it("keep a single refresher's identity as it always was", () => {
    const { refresher } = refresherStack();
    expect(refresher.settings.identity).toEqual({
      instanceName: undefined,
      metrics: { namespace: 'ZohoTokenRefresher', service: 'zoho-token-refresher' },
      outputPrefix: '',
    });
    expect(refresher.settings.secretPrefix).toBe('zoho-token-refresher');
  });

  it.each([['Dev'], ['1dev'], ['dev-eu'], ['a'.repeat(21)], ['']])('refuse the instance name %j', (name) => {
    expect(() => refresherStack({ instanceName: name })).toThrow(
      /ZohoTokenRefresher: instanceName must be 1-20 lowercase letters and digits/,
    );
  });

  it.each([['AWS/Lambda'], ['Zoho*'], ['']])('refuse the metrics namespace %j', (namespace) => {
    expect(() => refresherStack({ metricsNamespace: namespace })).toThrow(
      /ZohoTokenRefresher: metricsNamespace must be/,
    );
  });

  it('let a namespace of its own reach the functions, the alarms and the dashboard SEARCH (quoted)', () => {
    // Prepare
    const { stack, refresher } = refresherStack({ metricsNamespace: 'Team/Zoho' });
    // Act
    const template = Template.fromStack(stack);
    // Assess
    const expired = refresher.alarms.node.findChild('ExpiredTokens') as cloudwatch.Alarm;
    expect(
      (template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>)[logicalId(expired)]
        ?.Properties.Namespace,
    ).toBe('Team/Zoho');
    expect(
      Object.values(functionEnvironments(template)).map((env) => env.POWERTOOLS_METRICS_NAMESPACE),
    ).toEqual(Array(4).fill('Team/Zoho'));
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    expect(body).toContain(`SEARCH('{\\\\\\"Team/Zoho\\\\\\",reason,service}`);
  });

  it('let addRefresherOutputs take an explicit key prefix, and refuse one already taken', () => {
    // Prepare
    const { stack, refresher } = refresherStack({ instanceName: 'dev' });
    // Act
    addRefresherOutputs(stack, refresher, { keyPrefix: '' });
    // Assess
    expect(Template.fromStack(stack).toJSON().Outputs).toHaveProperty('TableName');
    expect(() => addRefresherOutputs(stack, refresher, { keyPrefix: '' })).toThrow(
      /addRefresherOutputs: stack Test already has the outputs of a refresher under the key prefix ''/,
    );
    expect(() => addRefresherOutputs(stack, refresher, { keyPrefix: 'Dev-' })).toThrow(
      /keyPrefix must be letters and digits/,
    );
  });
});
