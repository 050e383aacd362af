/**
 * The CloudWatch alarms of the stack's template in the emulator, each under `<prefix>-<construct id>`
 * with the template's own properties and its references made local (the topic's ARN, a queue's
 * name). An alarm on something the emulator does not hold (a function) is left out.
 */
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import type { EmulatorClientConfig } from './resources';
import { type AlarmSpecOfTemplate, referencedId } from './template-spec';

/** The emulator's name of an alarm of the template. */
export const localAlarmName = (prefix: string, id: string) => `${prefix}-${id}`;

/** A reference's local value (`Ref`: attribute undefined); undefined when the emulator has no such resource. */
export type LocalResolver = (logicalId: string, attribute: string | undefined) => string | undefined;

/**
 * Creates or updates (PutMetricAlarm overwrites) every alarm the emulator can hold; returns their
 * names.
 */
export async function ensureAlarms(
  config: EmulatorClientConfig,
  alarms: readonly AlarmSpecOfTemplate[],
  prefix: string,
  resolve: LocalResolver,
): Promise<string[]> {
  const cloudWatch = new CloudWatchClient(config);
  try {
    const names: string[] = [];
    for (const alarm of alarms) {
      const properties = localised(alarm.properties, resolve);
      if (properties === undefined) continue;
      const name = localAlarmName(prefix, alarm.id);
      await cloudWatch.send(
        new PutMetricAlarmCommand({ ...(properties as PutMetricAlarmCommandInput), AlarmName: name }),
      );
      names.push(name);
    }
    return names;
  } finally {
    cloudWatch.destroy();
  }
}

/** `value` with every `Ref` and `Fn::GetAtt` replaced by its local value; undefined if one has none. */
function localised(value: unknown, resolve: LocalResolver): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => localised(item, resolve));
    return items.includes(undefined) ? undefined : items;
  }
  if (typeof value !== 'object' || value === null) return value;
  const id = referencedId(value);
  if (id !== undefined) {
    const getAtt = (value as { 'Fn::GetAtt'?: unknown[] })['Fn::GetAtt'];
    return resolve(id, typeof getAtt?.[1] === 'string' ? getAtt[1] : undefined);
  }
  const entries = Object.entries(value).map(([key, item]) => [key, localised(item, resolve)] as const);
  return entries.some(([, item]) => item === undefined) ? undefined : Object.fromEntries(entries);
}
