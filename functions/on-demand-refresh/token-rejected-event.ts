/**
 * The "Zoho Token Rejected" EventBridge event → the domain's report. The connection comes from
 * the event's source, the one field IAM checked when the consumer published it.
 */
import { CONSUMER_EVENT_SOURCE_PREFIX, sourceConnection } from '../aws/names';
import { InvalidInputError } from '../core/errors';
import { parseTokenRejected, REQUEST_ID_MAX_LENGTH, type TokenRejected } from '../core/token-rejected';

/**
 * Validates a consumer's report event; throws InvalidInputError (ForgedReportError when its detail
 * names another connection than its source) saying what is wrong.
 */
export function parseTokenRejectedEvent(event: unknown): TokenRejected {
  const { source, detail } = (typeof event === 'object' && event !== null ? event : {}) as {
    source?: unknown;
    detail?: unknown;
  };
  const connectionId = sourceConnection(source);
  if (connectionId === undefined) {
    throw new InvalidInputError(`event source must be ${CONSUMER_EVENT_SOURCE_PREFIX}<connectionId>`);
  }
  return parseTokenRejected(connectionId, detail);
}

/** What correlates the log lines of one report. */
export type ReportLogKeys = {
  /** The EventBridge event's id: one per report published to the bus. */
  readonly eventId?: string;
  /** The consumer's `requestId` from the detail (its Lambda request id with the consumer library). */
  readonly consumerRequestId?: string;
};

/**
 * The ids of a report, read before it is validated so that a refused report's line carries them
 * too; a value that is not a string of at most REQUEST_ID_MAX_LENGTH characters is left out.
 */
export function reportLogKeys(event: unknown): ReportLogKeys {
  const { id, detail } = (typeof event === 'object' && event !== null ? event : {}) as {
    id?: unknown;
    detail?: unknown;
  };
  const requestId =
    typeof detail === 'object' && detail !== null ? (detail as { requestId?: unknown }).requestId : undefined;
  const eventId = bounded(id);
  const consumerRequestId = bounded(requestId);
  return {
    ...(eventId === undefined ? {} : { eventId }),
    ...(consumerRequestId === undefined ? {} : { consumerRequestId }),
  };
}

const bounded = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 && value.length <= REQUEST_ID_MAX_LENGTH ? value : undefined;
