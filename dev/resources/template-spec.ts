/**
 * What the emulator must hold, read from the stack's synthesized template (stack-template.ts): the
 * resources the stack's outputs name (table, refresh-token key, bus, queues, alarm topic) with the
 * properties the construct gave them, the rules on the bus, and the alarms. Pure: no AWS call.
 *
 * The emulator runs no functions: a rule that targets one gets a queue standing in for it
 * (FUNCTION_STAND_INS in resources.ts), and an alarm on a function is left out, as is anything of
 * IAM, logs, the dashboard and encryption, which the emulator does not enforce.
 */
import { OUTPUT_KEYS } from '../../infra/output-keys';
import { LocalResourceError } from './resources-table';
import type { CfnResource, CfnTemplate } from './stack-template';

/** A table as CreateTable takes it (without its name), with its TTL and backup settings. */
export interface TableSpec {
  readonly BillingMode?: 'PAY_PER_REQUEST' | 'PROVISIONED';
  readonly AttributeDefinitions: readonly { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  readonly KeySchema: readonly KeyElement[];
  readonly GlobalSecondaryIndexes: readonly IndexSpec[];
  readonly ttlAttribute?: string;
  readonly pointInTimeRecovery: boolean;
}

export interface KeyElement {
  readonly AttributeName: string;
  readonly KeyType: 'HASH' | 'RANGE';
}

export interface IndexSpec {
  readonly IndexName: string;
  readonly KeySchema: readonly KeyElement[];
  readonly Projection: {
    readonly ProjectionType?: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
    readonly NonKeyAttributes?: readonly string[];
  };
}

/** A queue's SQS attributes; the redrive policy names its dead-letter queue by the stack's output. */
export interface QueueSpec {
  readonly attributes: Readonly<Record<string, string>>;
  readonly redrive?: { readonly deadLetterQueue: QueueOutput; readonly maxReceiveCount: number };
}

/** The queues the stack names in its outputs. */
export type QueueOutput = 'refreshQueueUrl' | 'refreshDeadLetterQueueUrl' | 'deadLetterQueueUrl';

/** A rule on the refresher's bus, and the function output its target stands for. */
export interface RuleSpec {
  readonly id: string;
  readonly description?: string;
  readonly eventPattern: unknown;
  readonly targetFunction: FunctionOutput;
}

/** The functions the stack names in its outputs. */
export type FunctionOutput =
  | 'plannerFunctionName'
  | 'refreshWorkerFunctionName'
  | 'onDemandFunctionName'
  | 'operatorFunctionName';

/** An alarm: its construct id (the local name's suffix) and PutMetricAlarm's fields, references marked. */
export interface AlarmSpecOfTemplate {
  readonly id: string;
  readonly properties: Readonly<Record<string, unknown>>;
  /** The logical ids its dimensions and actions refer to. */
  readonly references: readonly string[];
}

/** Everything the emulator holds, as the template defines it. */
export interface LocalStackSpec {
  readonly table: TableSpec;
  readonly key: { readonly description?: string; readonly rotation: boolean };
  readonly queues: Readonly<Record<QueueOutput, QueueSpec>>;
  readonly rules: readonly RuleSpec[];
  readonly alarms: readonly AlarmSpecOfTemplate[];
  /** Logical id → the output that names it (for the references of rules and alarms). */
  readonly outputOf: Readonly<Record<string, keyof typeof OUTPUT_KEYS>>;
}

/** The SQS attributes a queue's CloudFormation properties carry under the same name. */
const QUEUE_ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
] as const;

const QUEUES: readonly QueueOutput[] = ['refreshQueueUrl', 'refreshDeadLetterQueueUrl', 'deadLetterQueueUrl'];

/** Reads the template; a LocalResourceError when it lacks what the emulator needs. */
export function localStackSpec(template: CfnTemplate): LocalStackSpec {
  const outputOf = outputsByLogicalId(template);
  const named = (output: keyof typeof OUTPUT_KEYS, type: string): CfnResource & { id: string } => {
    const id = Object.keys(outputOf).find((logicalId) => outputOf[logicalId] === output);
    const resource = id === undefined ? undefined : template.Resources[id];
    if (id === undefined || resource?.Type !== type) {
      throw new LocalResourceError(
        `The stack's template has no ${type} named by its output ${OUTPUT_KEYS[output]}`,
      );
    }
    return { ...resource, id };
  };
  const table = named('tableName', 'AWS::DynamoDB::Table');
  const key = named('refreshTokenKeyArn', 'AWS::KMS::Key');
  const bus = named('eventBusName', 'AWS::Events::EventBus');
  // The topic only has to exist: the emulator's takes none of its properties (its key, a display name).
  named('alarmTopicArn', 'AWS::SNS::Topic');
  const queues = Object.fromEntries(
    QUEUES.map((output) => [output, queueSpec(named(output, 'AWS::SQS::Queue'), outputOf)]),
  ) as Record<QueueOutput, QueueSpec>;
  return {
    table: tableSpec(table),
    key: {
      ...optionalString('description', key.Properties?.Description),
      rotation: key.Properties?.EnableKeyRotation === true,
    },
    queues,
    rules: busRules(template, bus.id, outputOf),
    alarms: alarms(template),
    outputOf,
  };
}

/** The logical id of a `Ref` or `Fn::GetAtt`; undefined for anything else. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

function outputsByLogicalId(template: CfnTemplate): Record<string, keyof typeof OUTPUT_KEYS> {
  const byKey = new Map(Object.entries(OUTPUT_KEYS).map(([name, key]) => [key as string, name]));
  const result: Record<string, keyof typeof OUTPUT_KEYS> = {};
  for (const [key, output] of Object.entries(template.Outputs ?? {})) {
    const name = byKey.get(key) as keyof typeof OUTPUT_KEYS | undefined;
    const id = referencedId(output.Value);
    // The first output naming a resource wins: `EventBusName` before `EventBusArn`.
    if (name !== undefined && id !== undefined) result[id] ??= name;
  }
  return result;
}

function tableSpec(table: CfnResource): TableSpec {
  const p = table.Properties ?? {};
  const ttl = p.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
  const pitr = p.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: boolean } | undefined;
  return {
    ...(p.BillingMode === undefined ? {} : { BillingMode: p.BillingMode as TableSpec['BillingMode'] }),
    AttributeDefinitions: p.AttributeDefinitions as TableSpec['AttributeDefinitions'],
    KeySchema: p.KeySchema as TableSpec['KeySchema'],
    GlobalSecondaryIndexes: ((p.GlobalSecondaryIndexes ?? []) as IndexSpec[]).map((index) => ({
      IndexName: index.IndexName,
      KeySchema: index.KeySchema,
      Projection: index.Projection,
    })),
    ...(ttl?.Enabled === true && ttl.AttributeName !== undefined ? { ttlAttribute: ttl.AttributeName } : {}),
    pointInTimeRecovery: pitr?.PointInTimeRecoveryEnabled === true,
  };
}

function queueSpec(queue: CfnResource, outputOf: Record<string, keyof typeof OUTPUT_KEYS>): QueueSpec {
  const p = queue.Properties ?? {};
  const attributes: Record<string, string> = {};
  for (const name of QUEUE_ATTRIBUTES) if (p[name] !== undefined) attributes[name] = String(p[name]);
  const redrive = p.RedrivePolicy as { deadLetterTargetArn?: unknown; maxReceiveCount?: number } | undefined;
  if (redrive === undefined) return { attributes };
  const target = outputOf[referencedId(redrive.deadLetterTargetArn) ?? ''];
  if (target === undefined || !QUEUES.includes(target as QueueOutput)) {
    throw new LocalResourceError("A queue of the stack's template redrives to a queue no output names");
  }
  return {
    attributes,
    redrive: { deadLetterQueue: target as QueueOutput, maxReceiveCount: Number(redrive.maxReceiveCount) },
  };
}

/** The rules on the refresher's bus; each targets one function (a schedule rule is on no bus). */
function busRules(
  template: CfnTemplate,
  busId: string,
  outputOf: Record<string, keyof typeof OUTPUT_KEYS>,
): RuleSpec[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Events::Rule' && referencedId(r.Properties?.EventBusName) === busId)
    .map(([id, rule]) => {
      const targets = (rule.Properties?.Targets ?? []) as { Arn?: unknown }[];
      const functions = targets.map((target) => outputOf[referencedId(target.Arn) ?? '']);
      const [targetFunction] = functions;
      if (
        functions.length !== 1 ||
        targetFunction === undefined ||
        !targetFunction.endsWith('FunctionName')
      ) {
        throw new LocalResourceError(
          `Rule ${id} of the stack's template targets something other than one of its functions; the workshop has no stand-in for it`,
        );
      }
      return {
        id,
        ...optionalString('description', rule.Properties?.Description),
        eventPattern: rule.Properties?.EventPattern,
        targetFunction: targetFunction as FunctionOutput,
      };
    });
}

function alarms(template: CfnTemplate): AlarmSpecOfTemplate[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
    .map(([logicalId, alarm]) => {
      const properties = alarm.Properties ?? {};
      return { id: constructId(logicalId, alarm), properties, references: referencesIn(properties) };
    });
}

/** `…/Alarms/ExpiredTokens/Resource` → `ExpiredTokens`; the logical id without path metadata. */
function constructId(logicalId: string, resource: CfnResource): string {
  const path = resource.Metadata?.['aws:cdk:path'];
  if (typeof path !== 'string') return logicalId;
  const parts = path.split('/');
  return (parts.at(-1) === 'Resource' ? parts.at(-2) : parts.at(-1)) ?? logicalId;
}

/** Every logical id a value refers to, however deep. */
function referencesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (typeof value !== 'object' || value === null) return [];
  const id = referencedId(value);
  if (id !== undefined) return [id];
  return Object.values(value).flatMap(referencesIn);
}

function optionalString<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return (typeof value === 'string' ? { [key]: value } : {}) as Partial<Record<K, string>>;
}
