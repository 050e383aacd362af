/**
 * DynamoDB faults, as the SDK throws them (the store adapter passes them through). A fault before
 * the Zoho call costs nothing but a retry (Lambda's, or the next sweep's); after it, the minted token
 * is kept or the written secret adopted by the next run.
 */
import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DEFAULT_REFRESH_POLICY } from '../../functions/core/refresh-policy';
import { HEALED, keptFor, planRow as row, UNTOUCHED } from './expectations';
import { addDueAfterFailure, type MatrixRow, type RowContext } from './matrix';
import { reportEvent } from './report-events';

const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });
const internal = () => new InternalServerError({ message: 'Internal server error', $metadata: {} });

const reportV3 = (ctx: RowContext) =>
  reportEvent({ connectionId: ctx.id, version: 3, status: 401, code: 57 }).then(ctx.onDemand);

export const DYNAMODB_ROWS: readonly MatrixRow[] = [
  row(
    'DynamoDB',
    'GetItem throttled on a report',
    (plan) => plan.fail('store', 'get', throttled),
    { outcome: 'threw:ProvisionedThroughputExceededException', ...UNTOUCHED, zoho: 0, next: HEALED },
    // EventBridge delivers the report again.
    { act: reportV3, next: reportV3 },
  ),
  row(
    'DynamoDB',
    'lease write fails (InternalServerError)',
    (plan) => plan.fail('store', 'acquireLease', internal),
    {
      outcome: 'threw:InternalServerError',
      ...UNTOUCHED,
      zoho: 0,
      next: HEALED,
    },
  ),
  row(
    'DynamoDB',
    'budget record before the Zoho call throttled (after a failure: a write of its own)',
    (plan) => plan.fail('store', 'recordZohoCall', throttled),
    {
      outcome: 'failed:internal',
      ...UNTOUCHED,
      zoho: 0,
      next: HEALED,
    },
    { setup: (ctx) => addDueAfterFailure(ctx) },
  ),
  row(
    'DynamoDB',
    'commit fails after the secret was written',
    (plan) => plan.fail('store', 'commitRefresh', internal),
    {
      outcome: 'failed:internal',
      status: 'active',
      version: 3,
      secret: 4,
      zoho: 1,
      versions: 1,
      next: 'adopted v4 +0 zoho',
    },
  ),
  row(
    'DynamoDB',
    'failure record throttled after Zoho answered 503 (lease left behind)',
    (plan, ctx) => {
      ctx.zoho.sim.faults.set('token', 'http-503');
      plan.fail('store', 'recordFailure', throttled);
    },
    {
      outcome: 'threw:ProvisionedThroughputExceededException',
      ...UNTOUCHED,
      zoho: DEFAULT_REFRESH_POLICY.maxAttempts,
      next: HEALED,
    },
  ),
  row(
    'DynamoDB',
    'lease extension before the secret write throttled (slow Zoho answer)',
    (plan, ctx) => {
      plan.before('zoho', 'refreshAccessToken', () =>
        // The lease has 15 s left, less than a write's 20 s.
        ctx.world.fakes.clock.advance(ctx.world.fakes.policy.leaseMs - 15_000),
      );
      plan.fail('store', 'extendLease', throttled);
    },
    keptFor('internal'),
  ),
];
