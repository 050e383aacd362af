/**
 * "Run the same handlers as the Lambdas": against a deployed stack the CLI invokes the deployed
 * functions, so refresh, revoke and check run with the operator function's role and configuration,
 * never the operator's own credentials (which cannot decrypt refresh tokens), and a sweep is the
 * planner's. An emulator runs no functions: there the development build's EmulatorHooks run the
 * same handlers in this process (emulator-hooks.ts).
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { ConnectionCheckResult } from '../functions/core/check-connection';
import type { Connection } from '../functions/core/connection';
import { ConfigurationError } from '../functions/core/errors';
import type { PlanSummary } from '../functions/core/plan-refreshes';
import type { OperatorCommand } from '../functions/operator/operator-command';
import type { OperatorResult } from '../functions/operator/operator-handler';
import type { SweepRequest } from '../functions/planner/planner-handler';
import type { AwsSession } from './aws-session';
import type { WorkReport } from './emulator-hooks';
import { OperationError } from './errors';
import type { Output } from './io';
import { lookAtRefreshQueue, type QueueDepth } from './refresh-queue';

/**
 * Runs an operator command (refresh with trigger `operator`, revoke, or check) through the operator
 * handler: by Lambda Invoke of the deployed operator function, or against an emulator through the
 * EmulatorHooks. Only the refresher roles may decrypt refresh tokens, so in AWS this is the only way.
 */
export async function runOperatorCommand(
  aws: AwsSession,
  out: Output,
  command: OperatorCommand,
  allowedAccountsServers: readonly string[],
): Promise<OperatorResult> {
  const target = await aws.target();
  if (target.local) return aws.emulator().runOperator(aws, command, allowedAccountsServers);
  const functionName = needFunction(target.names.operatorFunctionName, 'operator');
  out.note(`Invoking ${functionName} …`);
  return invoke<OperatorResult>(aws, functionName, command);
}

/** Refreshes one connection now, even if it is not due (the lease and the Zoho budget still apply). */
export function refreshNow(
  aws: AwsSession,
  out: Output,
  connection: Pick<Connection, 'connectionId'>,
  allowedAccountsServers: readonly string[],
): Promise<OperatorResult> {
  return runOperatorCommand(
    aws,
    out,
    { operatorCommand: 'refresh', connectionId: connection.connectionId, force: true },
    allowedAccountsServers,
  );
}

/**
 * Checks, with the refresher's permissions and without calling Zoho, that a refresh of the
 * connection could decrypt its refresh token and read its client app and access-token secret.
 */
export async function checkAsRefresher(
  aws: AwsSession,
  out: Output,
  connectionId: string,
): Promise<ConnectionCheckResult> {
  const result = await runOperatorCommand(aws, out, { operatorCommand: 'check', connectionId }, []);
  if (result.outcome === 'checked') return result;
  // Doctor shows only the message: the advice goes into it. An older function refuses `check`.
  throw new OperationError(
    `the operator function did not check '${connectionId}' (${result.outcome === 'rejected' ? result.reason : `it answered ${result.outcome}`}); if it is older than this CLI, deploy the stack again`,
  );
}

/** What `sweep` did: the planner's run, and locally what the workers did with it. */
export interface SweepReport {
  readonly plan: PlanSummary;
  /** Against an emulator: what the in-process workers did with the orders that were due. */
  readonly work?: WorkReport;
  /** Against AWS: the refresh queue after the planner ran (the deployed workers take it from there). */
  readonly queue?: QueueDepth;
}

/**
 * Plans every connection due now (or within the planner's period): against AWS it invokes the
 * deployed planner, whose orders the deployed workers take from the queue by themselves; against an
 * emulator the EmulatorHooks plan and have the orders refreshed at once.
 */
export async function sweepNow(
  aws: AwsSession,
  out: Output,
  options: { readonly allowedAccountsServers: readonly string[] },
): Promise<SweepReport> {
  const target = await aws.target();
  if (target.local) return aws.emulator().sweep(aws, out, options);
  const functionName = needFunction(target.names.plannerFunctionName, 'planner');
  out.note(`Invoking ${functionName} …`);
  const request: SweepRequest = { sweep: 'all_due' };
  const plan = await invoke<PlanSummary>(aws, functionName, request);
  const reading = await lookAtRefreshQueue(target, (await aws.clients()).sqs);
  if (reading.kind !== 'read') return { plan };
  const { waiting, inFlight, delayed } = reading.state;
  return { plan, queue: { waiting, inFlight, delayed } };
}

/** `Planned 12 refresh order(s): 10 due now, 2 due within the minute.` */
export function describePlan(plan: PlanSummary): string {
  return `Planned ${plan.planned} refresh order(s): ${plan.overdue} due now, ${plan.upcoming} due within the minute${plan.notQueued > 0 ? `; ${plan.notQueued} could not be queued` : ''}.`;
}

function needFunction(name: string | undefined, what: string): string {
  if (name !== undefined) return name;
  throw new ConfigurationError(
    `the ${what} function is not known: against AWS the CLI invokes the deployed functions, whose names come from the stack's outputs; pass --stack instead of --table/--bus/--key (a stack deployed before this CLI's version may lack the output: deploy it again)`,
  );
}

async function invoke<T>(aws: AwsSession, functionName: string, event: object): Promise<T> {
  const { lambda } = await aws.clients();
  const output = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: Buffer.from(JSON.stringify(event)),
    }),
  );
  const text = output.Payload === undefined ? '' : Buffer.from(output.Payload).toString('utf8');
  if (output.FunctionError !== undefined) {
    // The functions' errors are the project's typed errors, whose messages never carry a secret.
    const reason = parsePayload<{ errorType?: string; errorMessage?: string }>(text);
    throw new OperationError(
      `${functionName} failed: ${reason?.errorType ?? output.FunctionError}${reason?.errorMessage === undefined ? '' : `: ${reason.errorMessage}`}`,
      "see the function's log group in CloudWatch Logs",
    );
  }
  const result = parsePayload<T>(text);
  if (result === undefined) throw new OperationError(`${functionName} answered with an unreadable payload`);
  return result;
}

function parsePayload<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
