/**
 * Doctor checks of the refresh path: the refresh queue (its redrive policy to a dead-letter queue,
 * and what waits there), and in AWS the event source mapping that feeds the worker function (enabled,
 * partial batch failures reported, a concurrency cap) and a visibility timeout that outlasts the
 * worker. A planner that enqueues into a queue nothing drains refreshes nothing: this is where that
 * shows before tokens expire.
 */
import {
  type EventSourceMappingConfiguration,
  GetFunctionConfigurationCommand,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import type { AwsTarget, TargetClients } from '../aws-target';
import { findRefreshQueueUrl, type RefreshQueueState, readRefreshQueue } from '../refresh-queue';
import { type Check, fail, guarded, ok, warn } from './check';

const isAccessDenied = (error: unknown) => error instanceof Error && /^AccessDenied/.test(error.name);

const QUEUE = 'refresh queue';
const DEAD_LETTERS = 'refresh dead-letter queue';
const MAPPING = 'worker event source';

const fixMissing = (target: AwsTarget) =>
  target.local
    ? "run 'npm run local -- init --aws-endpoint …' again"
    : "deploy the stack ('npx cdk deploy') or point --stack at the one these resources belong to";

export async function queueChecks(target: AwsTarget, clients: TargetClients): Promise<Check[]> {
  const url = await findRefreshQueueUrl(target, clients.sqs);
  if (url === undefined) {
    if (target.local) return [fail(QUEUE, 'the emulator has no refresh queue', fixMissing(target))];
    return [
      warn(
        QUEUE,
        target.stackName === undefined
          ? "the refresh queue is not known without the stack's outputs"
          : `stack ${target.stackName} does not name a refresh queue in its outputs`,
        target.stackName === undefined ? 'pass --stack to check it' : 'deploy this version of the stack',
      ),
    ];
  }
  const state = await readRefreshQueue(clients.sqs, url, target.names.refreshDeadLetterQueueUrl);
  const checks = [queueCheck(state), deadLetterCheck(target, state)];
  if (!target.local) checks.push(...(await guarded(MAPPING, () => mappingChecks(target, clients, state))));
  return checks;
}

function queueCheck(state: RefreshQueueState): Check {
  const { waiting, inFlight, delayed } = state;
  return ok(
    QUEUE,
    `${waiting} order(s) waiting, ${inFlight} in flight, ${delayed} delayed until their connection is due`,
  );
}

/** An order that keeps failing must leave the queue, and those that did need a look. */
function deadLetterCheck(target: AwsTarget, state: RefreshQueueState): Check {
  const { deadLetters } = state;
  if (deadLetters === undefined) {
    return fail(
      DEAD_LETTERS,
      'the refresh queue has no redrive policy to a dead-letter queue: an order that keeps failing is retried until it expires, and nothing alarms',
      fixMissing(target),
    );
  }
  if (deadLetters.waiting === 0) {
    return ok(
      DEAD_LETTERS,
      `empty (an order lands there after ${deadLetters.maxReceiveCount} failed deliveries)`,
    );
  }
  return warn(
    DEAD_LETTERS,
    `${deadLetters.waiting} refresh order(s) failed ${deadLetters.maxReceiveCount} deliveries in a row and wait there; their connections stay due, so the planner sends them again`,
    `find the error in the worker's log group (the order names the connection: aws sqs receive-message --queue-url ${deadLetters.url}), fix it, then aws sqs purge-queue --queue-url ${deadLetters.url}`,
  );
}

/** The mapping from the queue to the worker function, and the timeouts they must agree on. */
async function mappingChecks(
  target: AwsTarget,
  clients: TargetClients,
  state: RefreshQueueState,
): Promise<Check[]> {
  const worker = target.names.refreshWorkerFunctionName;
  if (worker === undefined) {
    return [
      warn(
        MAPPING,
        'the worker function is not known without its stack output',
        'deploy this version of the stack',
      ),
    ];
  }
  let mappings: EventSourceMappingConfiguration[];
  try {
    ({ EventSourceMappings: mappings = [] } = await clients.lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: worker, EventSourceArn: state.arn }),
    ));
  } catch (error) {
    // IAM grants this action on `*` only, so an operator's least-privilege role may lack it.
    if (!isAccessDenied(error)) throw error;
    return [
      warn(
        MAPPING,
        `could not look at the event source of ${worker}: these credentials may not lambda:ListEventSourceMappings`,
        'grant lambda:ListEventSourceMappings (resource *) to check it, or look in the Lambda console',
      ),
    ];
  }
  const mapping = mappings[0];
  if (mapping === undefined) {
    return [
      fail(
        MAPPING,
        `nothing delivers the refresh queue to ${worker}: orders pile up and no token is refreshed`,
        fixMissing(target),
      ),
    ];
  }
  const checks: Check[] = [];
  if (mapping.State !== 'Enabled') {
    checks.push(
      mapping.State === 'Disabled'
        ? fail(
            MAPPING,
            `the event source mapping of ${worker} is disabled: orders pile up and no token is refreshed`,
            `aws lambda update-event-source-mapping --uuid ${mapping.UUID} --enabled`,
          )
        : warn(
            MAPPING,
            `the event source mapping of ${worker} is ${mapping.State ?? 'in an unknown state'}`,
            'look again in a minute',
          ),
    );
  } else if (!(mapping.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures')) {
    checks.push(
      fail(
        MAPPING,
        `the event source mapping of ${worker} does not report batch item failures: one failed order makes the whole batch come back`,
        fixMissing(target),
      ),
    );
  } else {
    const cap = mapping.ScalingConfig?.MaximumConcurrency;
    checks.push(
      ok(
        MAPPING,
        `${worker} takes up to ${mapping.BatchSize ?? '?'} orders per invocation${cap === undefined ? '' : `, at most ${cap} at once`}`,
      ),
    );
  }
  const { Timeout } = await clients.lambda.send(
    new GetFunctionConfigurationCommand({ FunctionName: worker }),
  );
  if (Timeout !== undefined && state.visibilityTimeoutSeconds < Timeout) {
    checks.push(
      fail(
        'refresh queue visibility',
        `the queue hides an order for ${state.visibilityTimeoutSeconds} s, less than the worker's ${Timeout} s timeout: an order still being refreshed is delivered again`,
        fixMissing(target),
      ),
    );
  }
  return checks;
}
