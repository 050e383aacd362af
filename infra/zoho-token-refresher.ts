/**
 * `ZohoTokenRefresher`: everything that keeps Zoho access tokens fresh, as one construct a user can
 * drop into a stack of their own — the planner and the refresh workers with their queue (the
 * schedule, see refresh-fleet.ts), the on-demand refresh of consumers' reports, the operator
 * commands, the table, the refresh-token key, the bus, the dead-letter queues, the alarms, the
 * dashboard, and the grants consumers need.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CONSUMER_EVENT_SOURCE_PREFIX, ENV, TOKEN_REJECTED_DETAIL_TYPE } from '../functions/aws/names';
import { TABLE_SCHEMA } from '../functions/aws/table';
import type { MetricName } from '../functions/core/ports';
import { type AlarmRouting, alarmRouting } from './alarm-topic';
import { RefresherAlarms } from './alarms';
import { ConnectEndpoint } from './connect-endpoint';
import { ALL_CONNECTIONS, checkedConnectionId, consumerStatements, grantConsumer } from './consumer-access';
import { claimBinding, consumerEnvironment } from './consumer-binding';
import { RefresherDashboard } from './dashboard';
import { claimInstance } from './instance-identity';
import { acknowledgeDeadLetterQueue, acknowledgeFunction, acknowledgeTable } from './nag-suppressions';
import { grantOperator } from './operator-access';
import { OPERATOR_CONCURRENCY } from './operator-concurrency';
import { RefreshFleet } from './refresh-fleet';
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
  /** The planner's orders to the refresh workers, each held until due. */
  readonly refreshQueue: sqs.Queue;
  /** Refresh orders that failed five deliveries. */
  readonly refreshDeadLetterQueue: sqs.Queue;
  /** The topic every alarm notifies (`existingAlarmTopic`, or the refresher's own with its key). */
  readonly alarmTopic: AlarmRouting;
  /** Runs every minute: queues the next minute's due refreshes and emits the fleet gauges. */
  readonly plannerFunction: lambda.Function;
  /** Refreshes what the planner queued (SQS event source, at most `refreshWorkerConcurrency` at once). */
  readonly refreshWorkerFunction: lambda.Function;
  readonly onDemandFunction: lambda.Function;
  /**
   * Runs operators' commands (refresh, revoke, check) by direct invocation; the only role that may
   * delete an access-token secret. No event source targets it.
   */
  readonly operatorFunction: lambda.Function;
  readonly alarms: RefresherAlarms;
  readonly dashboard: RefresherDashboard;
  /** The connect endpoint (prop `connectEndpoint`), or undefined. */
  readonly connectEndpoint: ConnectEndpoint | undefined;
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
      // The planner hands the index item to a worker as the order's snapshot: no GetItem per refresh.
      projectionType: dynamodb.ProjectionType.ALL,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_SCHEMA.retryIndex.name,
      partitionKey: { name: TABLE_SCHEMA.retryIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.retryIndex.sortKey, type: dynamodb.AttributeType.NUMBER },
      // What the gauges need and nothing a lease write changes: one small index write per failure.
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...TABLE_SCHEMA.retryIndex.projected],
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
    const fleet = new RefreshFleet(this, 'RefreshFleet', {
      settings,
      environment,
      table: this.table,
      deadLetterQueue: this.deadLetterQueue,
      removalPolicy,
    });
    this.refreshQueue = fleet.queue;
    this.refreshDeadLetterQueue = fleet.deadLetterQueue;
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
      // A report older than 15 minutes is moot: the schedule has refreshed that token by then.
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
    this.plannerFunction = fleet.planner.fn;
    this.refreshWorkerFunction = fleet.worker.fn;
    this.onDemandFunction = onDemand.fn;
    this.operatorFunction = operator.fn;
    const uses = { worker: 'queueWorker', onDemand: 'asyncRefresher', operator: 'operator' } as const;
    for (const [fn, kind] of [
      [fleet.worker, 'worker'],
      [onDemand, 'onDemand'],
      [operator, 'operator'],
    ] as const) {
      grantRefresher(fn.role, {
        table: this.table,
        eventBus: this.eventBus,
        secretPrefix: settings.secretPrefix,
        accessTokenKey: settings.accessTokenKey,
        kind,
        ...(kind === 'worker' && { refreshQueue: fleet.queue }),
      });
      acknowledgeFunction(fn, settings.secretPrefix, uses[kind]);
    }
    key.allowDecrypt(fleet.worker.role, 'RefreshWorkerDecrypts');
    key.allowDecrypt(onDemand.role, 'OnDemandRefreshDecrypts');
    // Revoke sends the refresh token to Zoho, and check proves it decrypts.
    key.allowDecrypt(operator.role, 'OperatorDecrypts');
    this.connectEndpoint = settings.connectEndpoint
      ? new ConnectEndpoint(this, 'ConnectEndpoint', {
          settings,
          environment,
          table: this.table,
          eventBus: this.eventBus,
          key,
          removalPolicy,
        })
      : undefined;
    if (this.connectEndpoint !== undefined) {
      // A connection that needs re-authorisation announces it with a fresh link to this endpoint.
      for (const fn of [fleet.worker, onDemand, operator]) {
        fn.fn.addEnvironment(ENV.connectBaseUrl, this.connectEndpoint.baseUrl);
      }
    }
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
      functions: {
        planner: this.plannerFunction,
        refreshWorker: this.refreshWorkerFunction,
        onDemand: this.onDemandFunction,
        operator: this.operatorFunction,
      },
      deadLetterQueue: this.deadLetterQueue,
      refreshQueue: this.refreshQueue,
      refreshDeadLetterQueue: this.refreshDeadLetterQueue,
      refreshMarginSeconds: settings.refreshMargin.toSeconds(),
      ...(this.connectEndpoint && { connectFunction: this.connectEndpoint.fn.fn }),
    });
    this.dashboard = new RefresherDashboard(this, 'Dashboard', {
      metrics: settings.identity.metrics,
      deadLetterQueue: this.deadLetterQueue,
      refreshQueue: this.refreshQueue,
      refreshDeadLetterQueue: this.refreshDeadLetterQueue,
      refreshWorkerFunction: this.refreshWorkerFunction,
      ...(this.connectEndpoint && { connectFunction: this.connectEndpoint.fn.fn }),
      secretWritesPerSecond: settings.secretWritesPerSecond,
      alarms: this.alarms.alarms,
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
   * refresher, and nothing more: DescribeStacks on this stack, the table, invoking the operator
   * function and the planner, the queues' attributes, encrypting refresh tokens, the client apps, reading access tokens (doctor),
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
      plannerFunction: this.plannerFunction,
      refreshWorkerFunction: this.refreshWorkerFunction,
      onDemandFunction: this.onDemandFunction,
      operatorFunction: this.operatorFunction,
      alarmTopic: this.alarmTopic.topic,
      deadLetterQueue: this.deadLetterQueue,
      refreshQueue: this.refreshQueue,
      refreshDeadLetterQueue: this.refreshDeadLetterQueue,
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

  /** Connections that need a new authorisation (a gauge of every planner run). @default Maximum over 5 minutes */
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

  /**
   * One data point per planner run that queued all it planned: its absence is the
   * PlannerHeartbeatMissing alarm. @default Sum over 5 minutes
   */
  metricPlannerHeartbeat(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('PlannerHeartbeat', { statistic: 'Sum', ...props });
  }

  /**
   * The age of the oldest order in the refresh queue, in seconds (normally under two minutes: orders
   * wait for their due time); the RefreshBacklogAge alarm fires past the margin. @default Maximum over 1 minute
   */
  metricRefreshBacklogAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.refreshQueue.metricApproximateAgeOfOldestMessage({
      statistic: 'Maximum',
      period: Duration.minutes(1),
      ...props,
    });
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
