/**
 * Publishes the consumer's "Zoho Token Rejected" event (a contract): the on-demand refresher turns
 * it into one deduplicated refresh of the rejected version. The event's source names the connection
 * (`zoho-token-refresher.consumer.<connectionId>`): that is what the consumer's IAM grant allows,
 * so a role granted one connection can report for that connection only.
 */
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import { awsClientConfig } from '../aws/client-config';
import { consumerEventSource, TOKEN_REJECTED_DETAIL_TYPE } from '../aws/names';
import { TokenRejectionReportError } from './errors';

/** The event's `detail`, exactly as the contract names its fields. */
export interface TokenRejectedDetail {
  /** The connection whose token Zoho rejected; also the event's source (see above). */
  readonly connectionId: string;
  /** The token version Zoho rejected. */
  readonly version: number;
  readonly status: 401;
  /** Zoho's error code from the 401 body (57), when it sent one. */
  readonly code?: number;
  /** Correlates the report with the consumer's invocation (e.g. the Lambda request id). */
  readonly requestId?: string;
}

export interface RejectionReporterOptions {
  readonly eventBusName: string;
  /**
   * @default one client per container, shared by every reporter, each call bounded (connect 1 s,
   * request 2 s, 2 attempts: aws/client-config.ts)
   */
  readonly client?: EventBridgeClient;
}

export interface RejectionReporter {
  /** Publishes one event; throws TokenRejectionReportError when EventBridge does not take it. */
  report(detail: TokenRejectedDetail): Promise<void>;
}

let sharedClient: EventBridgeClient | undefined;

function defaultClient(): EventBridgeClient {
  sharedClient ??= new EventBridgeClient(awsClientConfig());
  return sharedClient;
}

/** Creates a reporter for one bus. Create it once per container, outside the handler. */
export function createRejectionReporter(options: RejectionReporterOptions): RejectionReporter {
  const { eventBusName } = options;
  const client = options.client ?? defaultClient();
  return {
    async report(detail) {
      const body: TokenRejectedDetail = {
        connectionId: detail.connectionId,
        version: detail.version,
        status: 401,
        ...(detail.code === undefined ? {} : { code: detail.code }),
        ...(detail.requestId === undefined ? {} : { requestId: detail.requestId }),
      };
      let output: PutEventsCommandOutput;
      try {
        output = await client.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: eventBusName,
                Source: consumerEventSource(detail.connectionId),
                DetailType: TOKEN_REJECTED_DETAIL_TYPE,
                Detail: JSON.stringify(body),
              },
            ],
          }),
        );
      } catch (error) {
        throw new TokenRejectionReportError(eventBusName, errorName(error), { cause: error });
      }
      // PutEvents reports per-entry failures in a 200 answer, not as an exception.
      if ((output.FailedEntryCount ?? 0) > 0) {
        const code = output.Entries?.[0]?.ErrorCode ?? 'unknown error';
        throw new TokenRejectionReportError(
          eventBusName,
          `the entry was not accepted (${code})${hint(code)}`,
        );
      }
    },
  };
}

/** EventBridge checks each entry's source and detail type against the caller's grant. */
function hint(code: string): string {
  return code === 'NotAuthorizedForSourceException' || code === 'NotAuthorizedForDetailTypeException'
    ? ': the role may report only for the connections it is granted (grantReadToken or the consumer policy)'
    : '';
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
