/**
 * The dev CLI's `init`: creates in an AWS API emulator every resource of the stack's template
 * (stack-template.ts, read by template-spec.ts) that an emulator can hold, under the documented local
 * names, so the functions and the CLI run unchanged against it. Idempotent: a second call finds and
 * reuses what exists.
 */
import { LOCAL_DEFAULTS, REFRESHER_EVENT_SOURCE } from '../../functions/aws/names';
import { EMULATOR_CREDENTIALS, type EmulatorCredentials } from '../emulator/moto-server';
import { ensureAlarms, type LocalResolver } from './resources-alarms';
import { ensureEventBus, ensureRuleToQueue, ensureTopic } from './resources-events';
import { ensureStackQueues, type LocalQueue } from './resources-queues';
import { ensureKey, ensureTable, LocalResourceError } from './resources-table';
import { type CfnTemplate, stackTemplate } from './stack-template';
import { type FunctionOutput, type LocalStackSpec, localStackSpec, type QueueOutput } from './template-spec';

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
  /** The dead-letter queue of the bus's rules and the functions' async invocations. */
  readonly deadLetterQueueName: string;
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
  deadLetterQueueName: LOCAL_DEFAULTS.deadLetterQueueName,
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
  /** The template to read the resources from. @default the stack's, synthesized (stackTemplate) */
  readonly template?: CfnTemplate;
}

/** What `init` created or found: everything the functions' environment and the CLI need. */
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
  readonly deadLetterQueueUrl: string;
  readonly deadLetterQueueArn: string;
  readonly alarmTopicArn: string;
  /** The alarms of the template the emulator holds (those on functions it has not). */
  readonly alarmNames: readonly string[];
  /** Resources this call created (`kind name`); empty when everything already existed. */
  readonly created: readonly string[];
}

/** SDK client configuration for an emulator. */
export interface EmulatorClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: EmulatorCredentials;
}

/**
 * The queue standing in for each function a rule of the bus targets (the emulator runs no function:
 * the dev CLI's `drain` and the sandbox hand the queued events to its handler). A rule of the stack
 * targeting a function without one fails `init`, so a new rule cannot be forgotten here.
 */
const FUNCTION_STAND_INS: Partial<
  Record<FunctionOutput, (names: LocalNames) => { readonly ruleName: string; readonly queueName: string }>
> = {
  onDemandFunctionName: (names) => ({ ruleName: names.rejectedRuleName, queueName: names.rejectedQueueName }),
};

/** Creates (or finds) every local resource. */
export async function createLocalResources(options: LocalResourcesOptions): Promise<LocalResources> {
  const region = options.region ?? LOCAL_DEFAULTS.region;
  const names: LocalNames = { ...LOCAL_NAMES, ...options.names };
  const spec = localStackSpec(options.template ?? (await stackTemplate()));
  const config: EmulatorClientConfig = {
    endpoint: options.endpoint,
    region,
    credentials: options.credentials ?? EMULATOR_CREDENTIALS,
  };
  const created: string[] = [];
  const note = (kind: string, name: string) => created.push(`${kind} ${name}`);
  const queueNames: Record<QueueOutput, string> = {
    refreshQueueUrl: names.refreshQueueName,
    refreshDeadLetterQueueUrl: names.refreshDeadLetterQueueName,
    deadLetterQueueUrl: names.deadLetterQueueName,
  };

  // Independent of each other; the rules need the bus, so they follow it.
  const [table, key, bus, alarmTopicArn, queues] = await Promise.all([
    ensureTable(config, names.tableName, spec.table, note),
    ensureKey(config, names.keyAlias, spec.key, note),
    ensureEventBus(config, names.eventBusName, note),
    ensureTopic(config, names.alarmTopicName, note),
    ensureStackQueues(config, spec.queues, queueNames, note),
  ]);
  const rules = await Promise.all(
    spec.rules.map(async (rule) => {
      const standIn = FUNCTION_STAND_INS[rule.targetFunction]?.(names);
      if (standIn === undefined) {
        throw new LocalResourceError(
          `Rule ${rule.id} of the stack targets the function of its output ${rule.targetFunction}, which has no local stand-in queue`,
        );
      }
      const made = await ensureRuleToQueue(
        config,
        bus.name,
        standIn.ruleName,
        standIn.queueName,
        rule.eventPattern as object,
        note,
      );
      return { ...made, id: rule.id, ruleName: standIn.ruleName, target: rule.targetFunction };
    }),
  );
  // The workshop's own rule, in no stack: the sandbox shows the refresher's events from this queue.
  const events = await ensureRuleToQueue(
    config,
    bus.name,
    names.eventsRuleName,
    names.eventsQueueName,
    refresherPattern(),
    note,
  );
  const rejected = rules.find((rule) => rule.target === 'onDemandFunctionName');
  if (rejected === undefined) {
    throw new LocalResourceError("The stack's template has no rule to the on-demand function on its bus");
  }
  const local = { table, key, bus, alarmTopicArn, queues, queueNames, rules, names };
  // Alarms are updated in place, never recorded as created.
  const alarmNames = await ensureAlarms(config, spec.alarms, names.eventBusName, resolver(spec, local));

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
    refreshQueueUrl: queues.refreshQueueUrl.queueUrl,
    refreshQueueArn: queues.refreshQueueUrl.queueArn,
    refreshDeadLetterQueueUrl: queues.refreshDeadLetterQueueUrl.queueUrl,
    refreshDeadLetterQueueArn: queues.refreshDeadLetterQueueUrl.queueArn,
    deadLetterQueueUrl: queues.deadLetterQueueUrl.queueUrl,
    deadLetterQueueArn: queues.deadLetterQueueUrl.queueArn,
    alarmTopicArn,
    alarmNames,
    created,
  };
}

/** What the emulator made of each resource of the template. */
interface LocalMade {
  readonly table: { readonly arn: string };
  readonly key: { readonly keyId: string; readonly keyArn: string };
  readonly bus: { readonly name: string; readonly arn: string };
  readonly alarmTopicArn: string;
  readonly queues: Readonly<Record<QueueOutput, LocalQueue>>;
  readonly queueNames: Readonly<Record<QueueOutput, string>>;
  readonly rules: readonly { readonly id: string; readonly ruleName: string; readonly ruleArn: string }[];
  readonly names: LocalNames;
}

/**
 * The local value of a template reference, as CloudFormation resolves `Ref` and `Fn::GetAtt` for
 * each type; undefined for what the emulator does not hold (the functions).
 */
function resolver(spec: LocalStackSpec, made: LocalMade): LocalResolver {
  return (logicalId, attribute) => {
    const rule = made.rules.find((r) => r.id === logicalId);
    if (rule !== undefined) return attribute === 'Arn' ? rule.ruleArn : rule.ruleName;
    const output = spec.outputOf[logicalId];
    switch (output) {
      case 'tableName':
        return attribute === 'Arn' ? made.table.arn : made.names.tableName;
      case 'refreshTokenKeyArn':
        return attribute === 'Arn' ? made.key.keyArn : made.key.keyId;
      case 'eventBusName':
        return attribute === 'Arn' ? made.bus.arn : made.bus.name;
      case 'alarmTopicArn':
        return attribute === 'TopicName' ? made.names.alarmTopicName : made.alarmTopicArn;
      case 'refreshQueueUrl':
      case 'refreshDeadLetterQueueUrl':
      case 'deadLetterQueueUrl': {
        const queue = made.queues[output];
        if (attribute === 'Arn') return queue.queueArn;
        return attribute === 'QueueName' ? made.queueNames[output] : queue.queueUrl;
      }
      default:
        return undefined;
    }
  };
}

/** Everything the refresher itself publishes. */
export const refresherPattern = () => ({ source: [REFRESHER_EVENT_SOURCE] });
