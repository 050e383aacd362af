/**
 * Monitoring of the connect endpoint (prop `connectEndpoint`): with it, the Connect function's
 * errors and throttles and the endpoint's own failures (ConnectLinkFailed over the 5xx pages) are
 * alarmed, and the dashboard gets a row of connect links; without it, none of that exists.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARM_SPECS } from '../../infra/alarm-specs';
import { CONNECT_ALARM_SPECS } from '../../infra/connect-alarm-specs';
import type { ZohoTokenRefresher } from '../../infra/zoho-token-refresher';
import { logicalId, synthesizedRefresher } from './infra-support';

const CONNECT_ALARM_IDS = ['ConnectErrors', 'ConnectFailures', 'ConnectThrottles'];
/** The endpoint's 5xx pages, in the order of PAGES. */
const SERVER_FAILURES = ['zoho_error', 'unavailable', 'not_stored', 'internal_error'];

type Properties = Record<string, unknown>;

/** The properties of the alarm with construct id `id`, or undefined. */
function alarmProperties(template: Template, refresher: ZohoTokenRefresher, id: string) {
  const alarm = refresher.alarms.node.tryFindChild(id) as cloudwatch.Alarm | undefined;
  if (alarm === undefined) return undefined;
  const resources = template.findResources('AWS::CloudWatch::Alarm');
  return (resources[logicalId(alarm)] as { Properties: Properties } | undefined)?.Properties;
}

function dashboardBody(template: Template): string {
  const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as {
    Properties: { DashboardBody: unknown };
  };
  return JSON.stringify(dashboard.Properties.DashboardBody);
}

describe('monitoring without the connect endpoint', () => {
  it('has no connect alarm and no connect row', () => {
    // Act
    const { template, refresher } = synthesizedRefresher();

    // Assess
    template.resourceCountIs('AWS::CloudWatch::Alarm', ALARM_SPECS.length);
    for (const id of CONNECT_ALARM_IDS) expect(alarmProperties(template, refresher, id), id).toBeUndefined();
    const body = dashboardBody(template);
    expect(body).not.toContain('Connect links');
    expect(body).not.toContain('ConnectLinkFailed');
    expect(body).not.toContain('\\"Throttles\\"');
  });
});

describe('monitoring with the connect endpoint', () => {
  let template: Template;
  let refresher: ZohoTokenRefresher;
  let topic: unknown[];
  let connectFunction: unknown;

  beforeAll(() => {
    ({ template, refresher } = synthesizedRefresher({ connectEndpoint: true }));
    topic = [{ Ref: logicalId(refresher.alarmTopic.topic) }];
    const fn = refresher.connectEndpoint?.fn.fn ?? expect.fail('no connect endpoint');
    connectFunction = { Ref: logicalId(fn) };
  });

  it('adds exactly the three connect alarms to the others', () => {
    // Assess
    template.resourceCountIs('AWS::CloudWatch::Alarm', 22);
    expect(CONNECT_ALARM_SPECS.map((spec) => spec.id).sort()).toEqual(CONNECT_ALARM_IDS);
    expect(refresher.alarms.alarms).toHaveLength(ALARM_SPECS.length + 3);
  });

  it.each([
    ['ConnectErrors', 'Errors', 1],
    // Customers click one by one: only throttling that lasts 15 minutes is a page.
    ['ConnectThrottles', 'Throttles', 3],
  ])('%s: the Connect function’s %s, at least 1 in %i five-minute window(s)', (id, metric, windows) => {
    // Act
    const properties = alarmProperties(template, refresher, id);

    // Assess
    expect(properties).toEqual({
      Namespace: 'AWS/Lambda',
      MetricName: metric,
      Dimensions: [{ Name: 'FunctionName', Value: connectFunction }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: windows,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.any(String),
      AlarmActions: topic,
      OKActions: topic,
    });
  });

  it("ConnectFailures: the sum of ConnectLinkFailed over the endpoint's 5xx pages only, at least 1 in five minutes", () => {
    // Act
    const properties = alarmProperties(template, refresher, 'ConnectFailures');

    // Assess
    const perReason = SERVER_FAILURES.map((reason) => ({
      Id: reason,
      MetricStat: {
        Metric: {
          Namespace: 'ZohoTokenRefresher',
          MetricName: 'ConnectLinkFailed',
          Dimensions: [
            { Name: 'reason', Value: reason },
            { Name: 'service', Value: 'zoho-token-refresher' },
          ],
        },
        Period: 300,
        Stat: 'Sum',
      },
      ReturnData: false,
    }));
    expect(properties).toEqual({
      Metrics: [
        {
          Id: 'expr_1',
          Expression: `SUM([${SERVER_FAILURES.join(', ')}])`,
          Label: `ConnectLinkFailed (${SERVER_FAILURES.join(', ')})`,
          ReturnData: true,
        },
        ...perReason,
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.any(String),
      AlarmActions: topic,
      OKActions: topic,
    });
  });

  it('says in each connect alarm what the operator does, within 1,024 characters', () => {
    for (const spec of CONNECT_ALARM_SPECS)
      expect(spec.description.length, spec.id).toBeLessThanOrEqual(1024);
    const failures = alarmProperties(template, refresher, 'ConnectFailures')?.AlarmDescription;
    for (const reason of SERVER_FAILURES) expect(failures).toContain(reason);
    expect(failures).toContain("'Connect link failures by reason'");
    expect(failures).toContain('`zoho-tokens link create --id <id> ...`');
    expect(alarmProperties(template, refresher, 'ConnectThrottles')?.AlarmDescription).toContain(
      'reserves 5',
    );
  });

  it('draws connect links, the function’s errors and throttles, and the failures by page (SEARCH)', () => {
    // Act
    const body = dashboardBody(template);

    // Assess
    for (const title of ['Connect links', 'Connect link failures by reason']) {
      expect(body).toContain(`\\"title\\":\\"${title}\\"`);
    }
    for (const metric of ['ConnectLinkCompleted', 'ConnectLinkFailed', 'Errors', 'Throttles']) {
      expect(body).toContain(`\\"${metric}\\"`);
    }
    expect(body).toContain(
      `SEARCH('{ZohoTokenRefresher,reason,service} MetricName=\\\\\\"ConnectLinkFailed\\\\\\" service=\\\\\\"zoho-token-refresher\\\\\\"', 'Sum', 300)`,
    );
  });
});
