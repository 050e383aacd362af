/**
 * "Zoho Token Rejected" events exactly as EventBridge hands them to the on-demand function, built by
 * the consumer library's own reporter (so they follow its contract as it changes, the source that
 * binds a report to a connection included).
 */
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import {
  createRejectionReporter,
  type TokenRejectedDetail,
} from '../../functions/consumer/rejection-reporter';
import type { TokenRejectedEvent } from '../../functions/on-demand-refresh/token-rejected-handler';

/** An EventBridge client that accepts one entry and keeps it. */
function capturingClient(captured: PutEventsRequestEntry[]): EventBridgeClient {
  const send = async (command: { input: { Entries?: PutEventsRequestEntry[] } }) => {
    captured.push(...(command.input.Entries ?? []));
    return { FailedEntryCount: 0, Entries: [{ EventId: 'captured' }], $metadata: {} };
  };
  return { send } as unknown as EventBridgeClient;
}

/** The event a consumer of `detail.connectionId` publishes when Zoho answers 401 to `detail.version`. */
export async function reportEvent(detail: TokenRejectedDetail): Promise<TokenRejectedEvent> {
  const captured: PutEventsRequestEntry[] = [];
  await createRejectionReporter({
    eventBusName: 'zoho-token-refresher',
    client: capturingClient(captured),
  }).report(detail);
  const entry = captured[0];
  if (!entry?.Detail || !entry.Source || !entry.DetailType) throw new Error('the reporter published nothing');
  return {
    version: '0',
    id: 'event-id',
    'detail-type': entry.DetailType as 'Zoho Token Rejected',
    source: entry.Source,
    account: '123456789012',
    time: '2026-11-26T08:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: JSON.parse(entry.Detail) as unknown,
  };
}

/**
 * A report naming `victim`, published by a principal granted only `publisher`. IAM lets such a
 * principal publish only with its own connection's source, so this is the most a forger can send:
 * the publisher's source, the victim in the detail.
 */
export async function forgedEvent(
  publisher: string,
  victim: string,
  version: number,
): Promise<TokenRejectedEvent> {
  const own = await reportEvent({ connectionId: publisher, version, status: 401, code: 57 });
  return { ...own, detail: { ...(own.detail as object), connectionId: victim } };
}
