/**
 * The props about how the refresher is run and watched rather than what it does: where its alarms
 * go, how long its logs stay, whether it is traced. Validated like every prop (refresher-props.ts):
 * a wrong value fails the synth naming the prop; a token is taken as is, since only CloudFormation
 * knows its value.
 */
import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { ConfigurationError } from '../functions/core/errors';
import type { ZohoTokenRefresherProps } from './refresher-props';

/** These props after defaults and validation. */
export interface OperationsSettings {
  readonly alarmEmail: string | undefined;
  readonly existingAlarmTopic: sns.ITopic | undefined;
  readonly logRetention: logs.RetentionDays;
  readonly tracing: lambda.Tracing;
}

/** Long enough to investigate a monthly report; the logs carry no token material. */
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;
// A numeric enum: its values hold the member names too.
const RETENTIONS: readonly unknown[] = Object.values(logs.RetentionDays).filter(
  (days) => typeof days === 'number',
);
const TRACING_MODES: readonly unknown[] = Object.values(lambda.Tracing);

type OperationsProps = Pick<
  ZohoTokenRefresherProps,
  'alarmEmail' | 'existingAlarmTopic' | 'logRetention' | 'tracing'
>;

/** Applies the defaults and throws ConfigurationError, naming the prop, for anything invalid. */
export function resolveOperations(props: OperationsProps): OperationsSettings {
  const alarmEmail = props.alarmEmail === undefined ? undefined : email(props.alarmEmail);
  // The team's topic is wired where it is defined; a subscription made here would be a second,
  // unexpected owner of it.
  if (alarmEmail !== undefined && props.existingAlarmTopic !== undefined) {
    fail('alarmEmail and existingAlarmTopic exclude each other: subscribe the address to your own topic');
  }
  return {
    alarmEmail,
    existingAlarmTopic: props.existingAlarmTopic,
    logRetention: logRetention(props.logRetention ?? DEFAULT_LOG_RETENTION),
    tracing: tracing(props.tracing ?? lambda.Tracing.DISABLED),
  };
}

function fail(message: string): never {
  throw new ConfigurationError(`ZohoTokenRefresher: ${message}`);
}

function email(value: string): string {
  if (Token.isUnresolved(value)) return value;
  if (!EMAIL.test(value))
    fail(
      `alarmEmail must be an e-mail address like ops@example.com (got ${JSON.stringify(value.slice(0, 80))})`,
    );
  return value;
}

function logRetention(value: logs.RetentionDays): logs.RetentionDays {
  // CloudWatch Logs accepts only its fixed list of periods; CloudFormation would fail at deploy.
  if (!Token.isUnresolved(value) && !RETENTIONS.includes(value))
    fail(`logRetention must be one of logs.RetentionDays (got ${JSON.stringify(value)})`);
  return value;
}

function tracing(value: lambda.Tracing): lambda.Tracing {
  if (!TRACING_MODES.includes(value))
    fail(`tracing must be one of lambda.Tracing (got ${JSON.stringify(value)})`);
  return value;
}
