/**
 * The refresh queue as an operator sees it: the orders waiting, in flight (a worker has them) or
 * delayed (the planner sends an order to arrive at its connection's due time), and those that failed
 * for good in its dead-letter queue, found through the queue's redrive policy. `status`, `sweep` and
 * `doctor` read it: against an emulator it is `init`'s queue, against AWS the stack's (output
 * RefreshQueueUrl).
 */
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type QueueAttributeName,
  QueueDoesNotExist,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { LOCAL_DEFAULTS } from '../functions/aws/names';
import type { AwsTarget, TargetNames } from './aws-target';

/** Messages of one queue by state (SQS's approximate counts). */
export interface QueueDepth {
  readonly waiting: number;
  readonly inFlight: number;
  readonly delayed: number;
}

/** The refresh queue and what an operator needs to know of its settings. */
export interface RefreshQueueState extends QueueDepth {
  readonly url: string;
  readonly arn: string;
  readonly visibilityTimeoutSeconds: number;
  /** Absent when the queue has no redrive policy (an order that keeps failing would never leave it). */
  readonly deadLetters?: {
    readonly url: string;
    readonly waiting: number;
    /** Receives before SQS moves an order there. */
    readonly maxReceiveCount: number;
  };
}

/** Where the refresh queue is: the stack's output, or in an emulator `init`'s queue; undefined when there is none. */
export async function findRefreshQueueUrl(
  target: Pick<AwsTarget, 'local' | 'names'>,
  sqs: SQSClient,
): Promise<string | undefined> {
  if (target.names.refreshQueueUrl !== undefined) return target.names.refreshQueueUrl;
  if (!target.local) return undefined;
  return queueUrlByName(sqs, LOCAL_DEFAULTS.refreshQueueName);
}

/**
 * The URLs of `init`'s refresh queue, of the dead-letter queue its redrive policy names and of the
 * bus's dead-letter queue, as a stack's outputs would give them (absent when the emulator has none).
 */
export async function localRefreshQueueUrls(
  target: Pick<AwsTarget, 'local' | 'names'>,
  sqs: SQSClient,
): Promise<Pick<TargetNames, 'refreshQueueUrl' | 'refreshDeadLetterQueueUrl' | 'deadLetterQueueUrl'>> {
  const busDeadLetters = await queueUrlByName(sqs, LOCAL_DEFAULTS.deadLetterQueueName);
  const bus = busDeadLetters === undefined ? {} : { deadLetterQueueUrl: busDeadLetters };
  const url = await findRefreshQueueUrl(target, sqs);
  if (url === undefined) return bus;
  const deadLetters = (await readRefreshQueue(sqs, url)).deadLetters;
  return { ...bus, refreshQueueUrl: url, ...(deadLetters && { refreshDeadLetterQueueUrl: deadLetters.url }) };
}

/** What a look at the refresh queue found: its state, no queue, or an error (a `status` never fails for it). */
export type QueueReading =
  | { readonly kind: 'read'; readonly state: RefreshQueueState }
  | { readonly kind: 'missing'; readonly local: boolean }
  | { readonly kind: 'unreadable'; readonly error: unknown };

/** Finds and reads the refresh queue of `target`, whatever happens. */
export async function lookAtRefreshQueue(
  target: Pick<AwsTarget, 'local' | 'names'>,
  sqs: SQSClient,
): Promise<QueueReading> {
  try {
    const url = await findRefreshQueueUrl(target, sqs);
    if (url === undefined) return { kind: 'missing', local: target.local };
    return { kind: 'read', state: await readRefreshQueue(sqs, url, target.names.refreshDeadLetterQueueUrl) };
  } catch (error) {
    return { kind: 'unreadable', error };
  }
}

/**
 * Reads the queue's depth and settings, and its dead-letter queue's depth. The dead-letter queue is
 * the one the redrive policy names: its URL as the stack's output gives it, or else looked up by name
 * (an emulator's; against AWS that needs `sqs:GetQueueUrl`, which `grantOperate` does not give).
 */
export async function readRefreshQueue(
  sqs: SQSClient,
  url: string,
  deadLetterQueueUrl?: string,
): Promise<RefreshQueueState> {
  const attributes = await queueAttributes(sqs, url, [
    'QueueArn',
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesNotVisible',
    'ApproximateNumberOfMessagesDelayed',
    'VisibilityTimeout',
    'RedrivePolicy',
  ]);
  const redrive = parseRedrivePolicy(attributes.RedrivePolicy);
  let deadLetterUrl: string | undefined;
  if (redrive !== undefined) {
    deadLetterUrl = namesQueue(deadLetterQueueUrl, redrive.deadLetterTargetArn)
      ? deadLetterQueueUrl
      : await queueUrlOfArn(sqs, redrive.deadLetterTargetArn);
  }
  const deadLetterDepth =
    deadLetterUrl === undefined
      ? undefined
      : await queueAttributes(sqs, deadLetterUrl, ['ApproximateNumberOfMessages']);
  return {
    url,
    arn: attributes.QueueArn ?? '',
    ...depthOf(attributes),
    visibilityTimeoutSeconds: Number(attributes.VisibilityTimeout ?? 30),
    ...(redrive === undefined || deadLetterUrl === undefined || deadLetterDepth === undefined
      ? {}
      : {
          deadLetters: {
            url: deadLetterUrl,
            waiting: Number(deadLetterDepth.ApproximateNumberOfMessages ?? 0),
            maxReceiveCount: redrive.maxReceiveCount,
          },
        }),
  };
}

/** `12 waiting, 3 in flight, 40 delayed` (the parts that are not zero; `empty` when all are). */
export function describeDepth(depth: QueueDepth): string {
  const parts = [
    [depth.waiting, 'waiting'],
    [depth.inFlight, 'in flight'],
    [depth.delayed, 'delayed'],
  ] as const;
  const shown = parts.filter(([count]) => count > 0).map(([count, what]) => `${count} ${what}`);
  return shown.length === 0 ? 'empty' : shown.join(', ');
}

function depthOf(attributes: Record<string, string>): QueueDepth {
  return {
    waiting: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

async function queueAttributes(
  sqs: SQSClient,
  url: string,
  names: readonly QueueAttributeName[],
): Promise<Record<string, string>> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...names] }),
  );
  return Attributes;
}

function parseRedrivePolicy(
  raw: string | undefined,
): { deadLetterTargetArn: string; maxReceiveCount: number } | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const policy = JSON.parse(raw) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    const maxReceiveCount = Number(policy.maxReceiveCount);
    return typeof policy.deadLetterTargetArn === 'string' && Number.isFinite(maxReceiveCount)
      ? { deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `url` is the queue of `arn` (a queue URL ends with its account and name). */
function namesQueue(url: string | undefined, arn: string): boolean {
  const [, , , , account, name] = arn.split(':');
  return url?.endsWith(`/${account}/${name}`) === true;
}

/** `arn:aws:sqs:REGION:ACCOUNT:NAME` → its URL (GetQueueUrl, which also proves it exists). */
async function queueUrlOfArn(sqs: SQSClient, arn: string): Promise<string | undefined> {
  const [, , , , account, name] = arn.split(':');
  if (name === undefined || account === undefined) return undefined;
  return queueUrlByName(sqs, name, account);
}

async function queueUrlByName(sqs: SQSClient, name: string, account?: string): Promise<string | undefined> {
  try {
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({
        QueueName: name,
        ...(account === undefined ? {} : { QueueOwnerAWSAccountId: account }),
      }),
    );
    return QueueUrl;
  } catch (error) {
    if (error instanceof QueueDoesNotExist) return undefined;
    throw error;
  }
}
