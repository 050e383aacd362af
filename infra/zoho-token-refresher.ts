/**
 * `ZohoTokenRefresher`: everything that keeps Zoho access tokens fresh, as one construct a user can
 * drop into a stack of their own — the three refresher functions (scheduled sweep, on-demand
 * refresh of consumers' reports, operator commands), the table, the refresh-token key, the bus, the
 * dead-letter queue, the alarms, the dashboard, and the grants consumers need.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CONSUMER_EVENT_SOURCE_PREFIX, TOKEN_REJECTED_DETAIL_TYPE } from '../functions/aws/names';
import { TABLE_SCHEMA } from '../functions/aws/table';
import type { MetricName } from '../functions/core/ports';
import { type AlarmRouting, alarmRouting } from './alarm-topic';
import { RefresherAlarms } from './alarms';
import { ALL_CONNECTIONS, checkedConnectionId, consumerStatements, grantConsumer } from './consumer-access';
import { claimBinding, consumerEnvironment } from './consumer-binding';
import { RefresherDashboard } from './dashboard';
import { ExampleConsumer } from './example-consumer';
import { claimInstance } from './instance-identity';
import { acknowledgeDeadLetterQueue, acknowledgeFunction, acknowledgeTable } from './nag-suppressions';
import { grantOperator } from './operator-access';
import { OPERATOR_CONCURRENCY } from './operator-concurrency';
import { RefreshTokenKey } from './refresh-token-key';
import { refresherEnvironment } from './refresher-environment';
import { ProjectFunction, queueDestination } from './refresher-function';
import { refresherMetric } from './refresher-metrics';
import { grantRefresher } from './refresher-permissions';
import {
  type ResolvedRefresherProps,
  resolveRefresherProps,
  type ZohoTokenRefresherProps,
} from './refresher-props';

export { addRefresherOutputs, OUTPUT_KEYS } from './outputs';

export type { ZohoTokenRefresherProps } from './refresher-props';

/** The refresher: see the file comment. Props are validated in the constructor. */
export class ZohoTokenRefresher extends Construct {
  readonly table: dynamodb.Table;
  /** Encrypts refresh tokens; only the three refresher roles may decrypt. */
  readonly refreshTokenKey: kms.Key;
  readonly eventBus: events.EventBus;
  /** Failed consumer-event deliveries and failed async invocations land here. */
  readonly deadLetterQueue: sqs.Queue;
  /** The topic every alarm notifies (`existingAlarmTopic`, or the refresher's own with its key). */
  readonly alarmTopic: AlarmRouting;
  readonly scheduledFunction: nodejs.NodejsFunction;
  readonly onDemandFunction: nodejs.NodejsFunction;
  /**
   * Runs operators' commands (refresh, revoke, check) by direct invocation; the only role that may
   * delete an access-token secret. No event source targets it.
   */
  readonly operatorFunction: nodejs.NodejsFunction;
  readonly alarms: RefresherAlarms;
  readonly dashboard: RefresherDashboard;
  readonly exampleConsumer: ExampleConsumer | undefined;
  /** The props after defaults. */
  readonly settings: ResolvedRefresherProps;

  constructor(scope: Construct, id: string, props: ZohoTokenRefresherProps = {}) {
    super(scope, id);
    const settings = resolveRefresherProps(props);
    this.settings = settings;
    // Before any resource: a second refresher sharing metrics or secrets must not get that far.
    claimInstance(this, { identity: settings.identity, secretPrefix: settings.secretPrefix });
    const { removalPolicy } = settings;

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_SCHEMA.ttlAttribute,
      // A retained table is production data: guard it against a stray console click as well.
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_SCHEMA.dueIndex.name,
      partitionKey: { name: TABLE_SCHEMA.dueIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.dueIndex.sortKey, type: dynamodb.AttributeType.NUMBER },
      // The sweep refreshes straight from the index item: no GetItem per due connection.
      projectionType: dynamodb.ProjectionType.ALL,
    });
    acknowledgeTable(this.table);

    const key = new RefreshTokenKey(this, 'RefreshTokenKey', { removalPolicy });
    this.refreshTokenKey = key.key;
    this.eventBus = new events.EventBus(this, 'EventBus', {
      description:
        'zoho-token-refresher: consumers report rejected tokens; the refresher announces refreshes',
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // SQS-managed encryption: EventBridge and Lambda can deliver to it without a key grant.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    acknowledgeDeadLetterQueue(this.deadLetterQueue);
    this.alarmTopic = alarmRouting(this, 'AlarmTopic', {
      existingTopic: settings.existingAlarmTopic,
      email: settings.alarmEmail,
      removalPolicy,
    });

    const environment = refresherEnvironment(settings, {
      table: this.table,
      refreshTokenKey: this.refreshTokenKey,
      eventBus: this.eventBus,
    });
    const onFailure = queueDestination(this.deadLetterQueue);
    const operations = { logRetention: settings.logRetention, tracing: settings.tracing };
    // 80 s: the sweep stops taking work when one refresh's worst case (≈ 47 s: three Zoho attempts
    // of 8 s, three secret-write attempts of 5 s, see refreshWorstCaseMs) is left, so it refreshes
    // for about 33 s and whatever is left is due again 5 minutes later: the timeout bounds the sweep
    // by design, whatever the fleet's size.
    // 256 MB by default, measured by `npm run bench -- --only lambda-footprint` (the deployed bundle, once, in a
    // fresh node with Lambda's heap flags, against moto): peak RSS 107-120 MB for sweeps of 50 and
    // 500 connections, 60 MB after init, so memory is not the limit. CPU is: a refresh took 13-17 ms
    // of CPU on one x86 core, and 256 MB gets 0.145 vCPU, so a sweep refreshes roughly 300
    // connections in its 31 s (a 500-connection backlog takes two sweeps) — about 2,500 connections
    // in steady state, each refreshed every ~45 min. A larger fleet needs more memory for its CPU:
    // `sweepMemorySize`, and the SweepFallingBehind alarm says when.
    const scheduled = new ProjectFunction(this, 'ScheduledRefresh', {
      handlerName: 'scheduled-refresh',
      description: 'zoho-token-refresher: scheduled sweep of due connections',
      memorySize: settings.sweepMemorySize,
      timeout: Duration.seconds(80),
      // One sweep at a time: two would race for the same leases and double the KMS and Zoho calls.
      reservedConcurrentExecutions: 1,
      environment,
      removalPolicy,
      ...operations,
      // A sweep that failed is superseded by the next one; retrying it would only overlap.
      asyncInvoke: { retryAttempts: 0, maxEventAge: settings.scheduleRate, onFailure },
    });
    // 60 s: one refresh's worst case (≈ 47 s, refreshWorstCaseMs: three Zoho attempts of 8 s and
    // three secret-write attempts of 5 s) and its bookkeeping; the rest of the work is small (lambda-footprint bench: 0.16 s locally, 130-170 ms of CPU, so about 1 s at
    // 256 MB's 0.145 vCPU). 256 MB: peak RSS 76-98 MB for one event in a fresh container.
    const onDemand = new ProjectFunction(this, 'OnDemandRefresh', {
      handlerName: 'on-demand-refresh',
      description: 'zoho-token-refresher: refreshes a token a consumer reported as rejected',
      memorySize: 256,
      timeout: Duration.seconds(60),
      // A storm of 401 reports must not become a storm of Zoho calls: the lease deduplicates, and
      // this cap keeps the table and Zoho's budget out of reach of a runaway consumer.
      reservedConcurrentExecutions: 5,
      environment,
      removalPolicy,
      ...operations,
      // A report older than 15 minutes is moot: the sweep has refreshed that token by then.
      asyncInvoke: { retryAttempts: 2, maxEventAge: Duration.minutes(15), onFailure },
    });
    // 60 s, 256 MB: one command is at most one refresh (as on demand, ≈ 47 s at worst) or one revoke
    // (up to 15 s waiting for a refresh's lease, then one Zoho call of 8 s and a few AWS calls).
    const operator = new ProjectFunction(this, 'Operator', {
      handlerName: 'operator',
      description: 'zoho-token-refresher: operator commands (refresh, revoke, check) of the zoho-tokens CLI',
      memorySize: 256,
      timeout: Duration.seconds(60),
      // Its own pool: a report storm on the on-demand function cannot throttle an emergency revoke.
      reservedConcurrentExecutions: OPERATOR_CONCURRENCY,
      environment,
      removalPolicy,
      ...operations,
      // The CLI invokes synchronously and shows a failure at once; an asynchronous invocation that
      // fails is not retried behind the operator's back.
      asyncInvoke: { retryAttempts: 0 },
    });
    this.scheduledFunction = scheduled.fn;
    this.onDemandFunction = onDemand.fn;
    this.operatorFunction = operator.fn;
    for (const [fn, kind] of [
      [scheduled, 'scheduled'],
      [onDemand, 'onDemand'],
      [operator, 'operator'],
    ] as const) {
      grantRefresher(fn.role, {
        table: this.table,
        eventBus: this.eventBus,
        secretPrefix: settings.secretPrefix,
        accessTokenKey: settings.accessTokenKey,
        kind,
      });
      acknowledgeFunction(fn, settings.secretPrefix, kind === 'operator' ? 'operator' : 'asyncRefresher');
    }
    key.allowDecrypt(scheduled.role, 'ScheduledRefreshDecrypts');
    key.allowDecrypt(onDemand.role, 'OnDemandRefreshDecrypts');
    // Revoke sends the refresh token to Zoho, and check proves it decrypts.
    key.allowDecrypt(operator.role, 'OperatorDecrypts');

    new events.Rule(this, 'SweepSchedule', {
      description: 'zoho-token-refresher: runs the sweep of due connections',
      schedule: events.Schedule.rate(settings.scheduleRate),
      targets: [
        new targets.LambdaFunction(this.scheduledFunction, {
          deadLetterQueue: this.deadLetterQueue,
          // A schedule event older than the next one is worthless.
          maxEventAge: settings.scheduleRate,
          retryAttempts: 2,
        }),
      ],
    });
    new events.Rule(this, 'TokenRejectedRule', {
      description: 'zoho-token-refresher: a consumer got a 401 with a token; refresh it now',
      eventBus: this.eventBus,
      // Each connection reports under a source of its own (the IAM grants are bound to it).
      eventPattern: {
        source: events.Match.prefix(CONSUMER_EVENT_SOURCE_PREFIX),
        detailType: [TOKEN_REJECTED_DETAIL_TYPE],
      },
      targets: [
        new targets.LambdaFunction(this.onDemandFunction, {
          deadLetterQueue: this.deadLetterQueue,
          maxEventAge: Duration.minutes(15),
          retryAttempts: 4,
        }),
      ],
    });

    this.alarms = new RefresherAlarms(this, 'Alarms', {
      topic: this.alarmTopic.topic,
      metrics: settings.identity.metrics,
      scheduledFunction: this.scheduledFunction,
      onDemandFunction: this.onDemandFunction,
      operatorFunction: this.operatorFunction,
      deadLetterQueue: this.deadLetterQueue,
      scheduleRate: settings.scheduleRate,
    });
    this.dashboard = new RefresherDashboard(this, 'Dashboard', {
      metrics: settings.identity.metrics,
      deadLetterQueue: this.deadLetterQueue,
      alarms: this.alarms.alarms,
    });

    this.exampleConsumer =
      settings.exampleConsumerConnectionId === undefined
        ? undefined
        : new ExampleConsumer(this, 'ExampleConsumer', {
            refresher: this,
            connectionId: settings.exampleConsumerConnectionId,
          });
  }

  /**
   * Lets `grantee` use one connection's token, and nothing else: GetSecretValue on exactly
   * `<prefix>/<connectionId>/access-token`, kms:Decrypt via Secrets Manager if a customer key
   * encrypts the secrets, and events:PutEvents of "Zoho Token Rejected" on the bus under that
   * connection's source `zoho-token-refresher.consumer.<connectionId>` only.
   */
  grantReadToken(grantee: iam.IGrantable, connectionId: string): iam.Grant {
    return grantConsumer(this, grantee, this.#consumerAccess(checkedConnectionId(connectionId)));
  }

  /**
   * A managed policy for Lambdas outside this construct's stack (attach it to their roles): the
   * same statements as {@link grantReadToken}, for one connection, or — without `connectionId` —
   * for every connection under the secret prefix (for a consumer that serves many organisations).
   */
  consumerPolicy(id: string, connectionId?: string): iam.ManagedPolicy {
    const target = connectionId === undefined ? ALL_CONNECTIONS : checkedConnectionId(connectionId);
    return new iam.ManagedPolicy(this, id, {
      description:
        target === ALL_CONNECTIONS
          ? 'zoho-token-refresher consumer: read every Zoho access token, report rejected tokens'
          : `zoho-token-refresher consumer: read the Zoho access token of ${target}, report rejected tokens`,
      statements: consumerStatements(this, this.#consumerAccess(target)),
    });
  }

  /**
   * Makes `fn` a consumer: the grant of {@link grantReadToken} for `connectionId` (or, with `'*'`,
   * of every connection, as the all-connections consumer policy) plus the environment variables the
   * consumer library reads (`ZOHO_TOKENS_SECRET_PREFIX`, `ZOHO_TOKENS_EVENT_BUS_NAME`, and
   * `ZOHO_TOKENS_CONNECTION_ID` for one connection), so `createZohoClient()` needs no arguments
   * (with `'*'`: `createZohoClient({ connectionId })`). A function is bound once: to a second
   * connection or refresher it throws ConfigurationError.
   */
  bindConsumer(fn: lambda.Function, connectionId: string): iam.Grant {
    const target = connectionId === ALL_CONNECTIONS ? ALL_CONNECTIONS : checkedConnectionId(connectionId);
    claimBinding(this, fn, target);
    const environment = consumerEnvironment(this.settings.secretPrefix, this.eventBus, target);
    for (const [name, value] of Object.entries(environment)) fn.addEnvironment(name, value);
    return grantConsumer(this, fn, this.#consumerAccess(target));
  }

  /**
   * Lets `grantee` (an operator's role or group) run every `zoho-tokens` command against this
   * refresher, and nothing more: DescribeStacks on this stack, the table, invoking the operator and
   * scheduled functions, encrypting refresh tokens, the client apps, reading access tokens (doctor),
   * a consumer's report (reject) and the reads of `doctor`. Never kms:Decrypt of a refresh token
   * nor DeleteSecret: the operator function does those. See operator-access.ts, statement by statement.
   */
  grantOperate(grantee: iam.IGrantable): iam.Grant {
    return grantOperator(this, grantee, {
      table: this.table,
      eventBus: this.eventBus,
      refreshTokenKey: this.refreshTokenKey,
      secretPrefix: this.settings.secretPrefix,
      accessTokenKey: this.settings.accessTokenKey,
      scheduledFunction: this.scheduledFunction,
      onDemandFunction: this.onDemandFunction,
      operatorFunction: this.operatorFunction,
      alarmTopic: this.alarmTopic.topic,
      deadLetterQueue: this.deadLetterQueue,
    });
  }

  /**
   * A metric this refresher emits (namespace and `service` dimension of this instance only).
   * Pass `dimensionsMap: { reason }` for the per-reason copy of a failure metric.
   * @default statistic Average, period 5 minutes (as CDK's own `metric()` methods)
   */
  metric(name: MetricName, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return refresherMetric(this.settings.identity.metrics, name, props);
  }

  /** Refreshes that failed (each reason once), as the RefreshFailures alarm counts them. @default Sum over 5 minutes */
  metricRefreshFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('RefreshFailed', { statistic: 'Sum', ...props });
  }

  /** Connections that need a new authorisation (a gauge of every sweep). @default Maximum over 5 minutes */
  metricReauthorizationRequired(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ConnectionsNeedingReauthorization', { statistic: 'Maximum', ...props });
  }

  /** Active connections whose access token has expired: consumers fail now (a gauge). @default Maximum over 5 minutes */
  metricExpiredTokens(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExpiredTokens', { statistic: 'Maximum', ...props });
  }

  /** Active connections with 3 or more failed refreshes in a row (a gauge). @default Maximum over 5 minutes */
  metricConnectionsFailing(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ConnectionsFailing', { statistic: 'Maximum', ...props });
  }

  /** One data point per sweep that ran: its absence is the SweepHeartbeatMissing alarm. @default Sum over 5 minutes */
  metricSweepHeartbeat(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('SweepHeartbeat', { statistic: 'Sum', ...props });
  }

  #consumerAccess(connectionId: string) {
    return {
      secretPrefix: this.settings.secretPrefix,
      connectionId,
      eventBus: this.eventBus,
      ...(this.settings.accessTokenKey === undefined ? {} : { accessTokenKey: this.settings.accessTokenKey }),
    };
  }
}
