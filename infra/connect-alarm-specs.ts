/**
 * The alarms of the connect endpoint (prop `connectEndpoint`), as plain data like alarm-specs.ts:
 * the stack has them only when it deploys the endpoint. What the other functions get (errors,
 * throttles), plus the endpoint's own failures: its handler answers every request with a page and
 * never throws, so a customer turned away by Zoho, AWS or a missing client app shows only in the
 * `ConnectLinkFailed` metric, never in the function's Errors.
 */

import type { PageKind } from '../functions/connect/pages';
import { SERVER_FAILURE_PAGES } from '../functions/connect/pages';
import { type AlarmSpec, anyInFiveMinutes } from './alarm-specs';
import { CONNECT_CONCURRENCY } from './connect-concurrency';

/** What a connect alarm watches. */
export type ConnectAlarmSource =
  /** An AWS/Lambda metric of the Connect function. */
  | { readonly kind: 'connectFunction'; readonly metric: 'Errors' | 'Throttles' }
  /** The sum of `ConnectLinkFailed` over these `reason`s (pages) of the instance. */
  | {
      readonly kind: 'connectLinkFailures';
      readonly metric: 'ConnectLinkFailed';
      readonly reasons: readonly PageKind[];
    };

/** A connect alarm: the fields of an AlarmSpec, with a source of the endpoint's. */
export type ConnectAlarmSpec = Omit<AlarmSpec, 'source'> & { readonly source: ConnectAlarmSource };

/** Every alarm the connect endpoint adds to the stack. */
export const CONNECT_ALARM_SPECS: readonly ConnectAlarmSpec[] = [
  anyInFiveMinutes(
    'ConnectErrors',
    { kind: 'connectFunction', metric: 'Errors' },
    "The Connect function failed as a whole (a timeout, a crash, or a setting missing at its start; it answers every request it can with a page): a customer who opened or completed a connect link saw the Function URL's bare error instead of a page, and their connection may not be stored. See the function's log group, fix the cause, check the connection with `zoho-tokens status <id>` and send the customer a new link (`zoho-tokens link create --id <id> ...`).",
  ),
  // Customers click links one by one: throttling that lasts is a flood from many addresses (one
  // address gets 429 pages from the per-address limit), and it turns customers away.
  anyInFiveMinutes(
    'ConnectThrottles',
    { kind: 'connectFunction', metric: 'Throttles' },
    `Requests to the connect endpoint have been throttled for 15 minutes: more than ${CONNECT_CONCURRENCY} ran at once (the Connect function reserves ${CONNECT_CONCURRENCY}), so customers opening links got an error instead of a page. Customers click links one at a time: this is a flood of requests from many addresses (one address alone gets "too many requests" pages). See the function's log group for the pages it answered; customers can open their links again once it ends.`,
    3,
  ),
  anyInFiveMinutes(
    'ConnectFailures',
    { kind: 'connectLinkFailures', metric: 'ConnectLinkFailed', reasons: SERVER_FAILURE_PAGES },
    `The connect endpoint turned a customer away by a fault on this side (a 5xx page: ${SERVER_FAILURE_PAGES.join(', ')}). The dashboard's 'Connect link failures by reason' says which: unavailable, the link's client app is missing or Zoho refused it (\`zoho-tokens clients put\`, then \`zoho-tokens doctor\`, which probes the client apps); zoho_error, Zoho failed the consent or the code exchange; not_stored, the table refused the new connection (the new refresh token was revoked); internal_error, an unexpected error (see the Connect function's log group, which names the connection). The link was used up: once the cause is fixed, send the customer a new one (\`zoho-tokens link create --id <id> ...\`).`,
  ),
];
