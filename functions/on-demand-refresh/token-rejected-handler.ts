import type { EventBridgeEvent } from 'aws-lambda';
import { ConnectionNotFoundError, InvalidInputError } from '../core/errors';
import { withLogKeys } from '../core/log-keys';
import type { RefreshResult } from '../core/refresh-connection';
import type { RefreshDependencies } from '../core/refresh-deps';
import { refreshRejectedToken } from '../core/token-rejected';
import { parseTokenRejectedEvent, reportLogKeys } from './token-rejected-event';

export type TokenRejectedEvent = EventBridgeEvent<'Zoho Token Rejected', unknown>;

/** What the function answers: a refresh result, or why the event was refused. */
export type OnDemandResult = RefreshResult | { readonly outcome: 'rejected'; readonly reason: string };

/**
 * The on-demand use case as a Lambda function, before middleware. A malformed event, a forged one
 * (its detail names another connection than its source) or an unknown connection is refused with a
 * logged reason and a metric and NOT thrown: retrying cannot fix it. It serves consumers' reports
 * only: operators' commands go to the operator function (functions/operator), and one sent here is
 * refused as a malformed report.
 * Anything else (an AWS outage) is thrown, so Lambda's bounded retries and the DLQ take over.
 * Every line logged for one report carries its event id and the consumer's request id (`eventId`,
 * `consumerRequestId`): the use case runs with a Log of that invocation, never a shared logger
 * whose keys another invocation in flight could change.
 */
export function createTokenRejectedHandler(deps: RefreshDependencies) {
  return async (event: TokenRejectedEvent | unknown): Promise<OnDemandResult> => {
    const report: RefreshDependencies = { ...deps, log: withLogKeys(deps.log, reportLogKeys(event)) };
    try {
      return await refreshRejectedToken(report, parseTokenRejectedEvent(event));
    } catch (error) {
      if (!(error instanceof InvalidInputError || error instanceof ConnectionNotFoundError)) throw error;
      report.metrics.add('InvalidEvent', 1, 'Count', error.code);
      report.log.error('Refused an on-demand request', {
        reason: error.message,
        errorCode: error.code,
      });
      return { outcome: 'rejected', reason: error.message };
    }
  };
}
