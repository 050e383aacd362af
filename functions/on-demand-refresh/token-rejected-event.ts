/**
 * The "Zoho Token Rejected" EventBridge event → the domain's report. The connection comes from
 * the event's source, the one field IAM checked when the consumer published it.
 */
import { CONSUMER_EVENT_SOURCE_PREFIX, sourceConnection } from '../aws/names';
import { InvalidInputError } from '../core/errors';
import { parseTokenRejected, type TokenRejected } from '../core/token-rejected';

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
