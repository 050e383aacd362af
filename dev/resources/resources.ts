/**
 * `npm run local -- init`: creates in an AWS API emulator every resource the stack would, under
 * the documented local names, so the functions and the CLI run unchanged against it. Idempotent: a
 * second call finds and reuses what exists.
 */
import {
  CONSUMER_EVENT_SOURCE_PREFIX,
  LOCAL_DEFAULTS,
  REFRESHER_EVENT_SOURCE,
  TOKEN_REJECTED_DETAIL_TYPE,
} from '../../functions/aws/names';
import { EMULATOR_CREDENTIALS, type EmulatorCredentials } from '../emulator/moto-server';
import { ensureAlarms } from './resources-alarms';
import { ensureEventBus, ensureRuleToQueue, ensureTopic } from './resources-events';
import { ensureRefreshQueues } from './resources-refresh-queue';
import { ensureKey, ensureTable } from './resources-table';

/** Names of the local resources; every one can be overridden (CLI flags `--table`, `--bus`, …). */
export interface LocalNames {
  readonly tableName: string;
  readonly eventBusName: string;
  readonly keyAlias: string;
  readonly secretPrefix: string;
  /** Queue the bus feeds with consumers' "Zoho Token Rejected" events (drained by the on-demand handler). */
  readonly rejectedQueueName: string;
  readonly rejectedRuleName: string;
  /** Queue the bus feeds with the refresher's own events, so the sandbox can show them. */
  readonly eventsQueueName: string;
  readonly eventsRuleName: string;
  /** Queue of refresh orders: the planner fills it, the worker handler drains it. */
  readonly refreshQueueName: string;
  /** Where refresh orders that kept failing end up. */
  readonly refreshDeadLetterQueueName: string;
  readonly alarmTopicName: string;
}

/** The documented local defaults. */
export const LOCAL_NAMES: LocalNames = {
  tableName: LOCAL_DEFAULTS.tableName,
  eventBusName: LOCAL_DEFAULTS.eventBusName,
  keyAlias: LOCAL_DEFAULTS.keyAlias,
  secretPrefix: LOCAL_DEFAULTS.secretPrefix,
  rejectedQueueName: LOCAL_DEFAULTS.rejectedQueueName,
  rejectedRuleName: `${LOCAL_DEFAULTS.eventBusName}-token-rejected`,
  eventsQueueName: `${LOCAL_DEFAULTS.eventBusName}-events`,
  eventsRuleName: `${LOCAL_DEFAULTS.eventBusName}-refresher-events`,
  refreshQueueName: LOCAL_DEFAULTS.refreshQueueName,
  refreshDeadLetterQueueName: LOCAL_DEFAULTS.refreshDeadLetterQueueName,
  alarmTopicName: LOCAL_DEFAULTS.alarmTopicName,
};

export interface LocalResourcesOptions {
  /** The emulator, e.g. `http://127.0.0.1:5000`. */
  readonly endpoint: string;
  /** Default: LOCAL_DEFAULTS.region. */
  readonly region?: string;
  readonly names?: Partial<LocalNames>;
  /** Default: fake credentials, which any emulator accepts. */
  readonly credentials?: EmulatorCredentials;
}

/** What `local init` created or found: everything the functions' environment and the CLI need. */
export interface LocalResources {
  readonly region: string;
  readonly names: LocalNames;
  readonly tableName: string;
  readonly tableArn: string;
  readonly keyId: string;
  readonly keyArn: string;
  readonly keyAlias: string;
  readonly eventBusName: string;
  readonly eventBusArn: string;
  readonly secretPrefix: string;
  readonly rejectedQueueUrl: string;
  readonly rejectedQueueArn: string;
  readonly rejectedRuleArn: string;
  readonly eventsQueueUrl: string;
  readonly eventsQueueArn: string;
  readonly eventsRuleArn: string;
  readonly refreshQueueUrl: string;
  readonly refreshQueueArn: string;
  readonly refreshDeadLetterQueueUrl: string;
  readonly refreshDeadLetterQueueArn: string;
  readonly alarmTopicArn: string;
  /** Resources this call created (`kind name`); empty when everything already existed. */
  readonly created: readonly string[];
}

/** SDK client configuration for an emulator. */
export interface EmulatorClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: EmulatorCredentials;
}

/** Creates (or finds) every local resource. */
export async function createLocalResources(options: LocalResourcesOptions): Promise<LocalResources> {
  const region = options.region ?? LOCAL_DEFAULTS.region;
  const names: LocalNames = { ...LOCAL_NAMES, ...options.names };
  const config: EmulatorClientConfig = {
    endpoint: options.endpoint,
    region,
    credentials: options.credentials ?? EMULATOR_CREDENTIALS,
  };
  const created: string[] = [];
  const note = (kind: string, name: string) => created.push(`${kind} ${name}`);

  // Independent of each other; the rules need the bus, so they follow it.
  const [table, key, bus, alarmTopicArn, refresh] = await Promise.all([
    ensureTable(config, names.tableName, note),
    ensureKey(config, names.keyAlias, note),
    ensureEventBus(config, names.eventBusName, note),
    ensureTopic(config, names.alarmTopicName, note),
    ensureRefreshQueues(
      config,
      { queueName: names.refreshQueueName, deadLetterQueueName: names.refreshDeadLetterQueueName },
      note,
    ),
  ]);
  // Alarms need the topic and the queues' names; they are updated in place, never recorded as created.
  await ensureAlarms(config, alarmTopicArn, names.eventBusName, names);
  const [rejected, events] = await Promise.all([
    ensureRuleToQueue(
      config,
      bus.name,
      names.rejectedRuleName,
      names.rejectedQueueName,
      rejectedPattern(),
      note,
    ),
    ensureRuleToQueue(
      config,
      bus.name,
      names.eventsRuleName,
      names.eventsQueueName,
      refresherPattern(),
      note,
    ),
  ]);

  return {
    region,
    names,
    tableName: names.tableName,
    tableArn: table.arn,
    keyId: key.keyId,
    keyArn: key.keyArn,
    keyAlias: names.keyAlias,
    eventBusName: bus.name,
    eventBusArn: bus.arn,
    secretPrefix: names.secretPrefix,
    rejectedQueueUrl: rejected.queueUrl,
    rejectedQueueArn: rejected.queueArn,
    rejectedRuleArn: rejected.ruleArn,
    eventsQueueUrl: events.queueUrl,
    eventsQueueArn: events.queueArn,
    eventsRuleArn: events.ruleArn,
    refreshQueueUrl: refresh.queueUrl,
    refreshQueueArn: refresh.queueArn,
    refreshDeadLetterQueueUrl: refresh.deadLetterQueueUrl,
    refreshDeadLetterQueueArn: refresh.deadLetterQueueArn,
    alarmTopicArn,
    created,
  };
}

/** Consumers' 401 reports (one source per connection): what the stack's rule sends to the on-demand function. */
export const rejectedPattern = () => ({
  source: [{ prefix: CONSUMER_EVENT_SOURCE_PREFIX }],
  'detail-type': [TOKEN_REJECTED_DETAIL_TYPE],
});

/** Everything the refresher itself publishes. */
export const refresherPattern = () => ({ source: [REFRESHER_EVENT_SOURCE] });
