/**
 * CloudWatch through the emulator with the SDK v3 client, which speaks JSON 1.0. moto answers in
 * the protocol of its botocore model: with the botocore that checkov pins (1.35, query protocol
 * only) every call here failed with HTTP 500, hence the emulator's own venv.
 */
import {
  CloudWatchClient,
  ComparisonOperator,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  Statistic,
} from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../support/emulator';

const { clientConfig } = useEmulator();
const cloudwatch = new CloudWatchClient(clientConfig);

describe('CloudWatch in the emulator', () => {
  it('stores an alarm from PutMetricAlarm and returns it from DescribeAlarms', async () => {
    // Prepare
    const alarm = {
      AlarmName: 'refresh-failures-probe',
      Namespace: 'ZohoTokenRefresher',
      MetricName: 'RefreshFailed',
      Dimensions: [{ Name: 'service', Value: 'refresher' }],
      Statistic: Statistic.Sum,
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: ComparisonOperator.GreaterThanOrEqualToThreshold,
      TreatMissingData: 'notBreaching',
    };

    // Act
    await cloudwatch.send(new PutMetricAlarmCommand(alarm));
    const described = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarm.AlarmName] }));

    // Assess
    expect(described.MetricAlarms).toHaveLength(1);
    expect(described.MetricAlarms?.[0]).toMatchObject(alarm);
  });

  it('returns no alarm for a name it does not hold', async () => {
    // Act
    const described = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['no-such-alarm'] }));

    // Assess
    expect(described.MetricAlarms ?? []).toEqual([]);
  });
});
