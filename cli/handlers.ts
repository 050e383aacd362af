/**
 * "Run the same handlers as the Lambdas": against an emulator the operator and scheduled handlers
 * run in this process; against a deployed stack the CLI invokes the deployed functions, so refresh,
 * revoke and check run with the operator function's role and configuration, never the operator's
 * own credentials (which cannot decrypt refresh tokens).
 */
import { randomUUID } from 'node:crypto';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { sweepReserveMs } from '../functions/aws/refresher';
import type { ConnectionCheckResult } from '../functions/core/check-connection';
import type { Connection } from '../functions/core/connection';
import { ConfigurationError } from '../functions/core/errors';
import type { Metrics } from '../functions/core/ports';
import type { SweepSummary } from '../functions/core/sweep';
import type { OperatorCommand } from '../functions/operator/operator-command';
import { createOperatorHandler, type OperatorResult } from '../functions/operator/operator-handler';
import { createSweepHandler } from '../functions/scheduled-refresh/sweep-handler';
import type { AwsSession } from './aws-session';
import { OperationError } from './errors';
import type { Output } from './io';
import { humanLog, inProcessConfig, quietLog } from './local/in-process';

/** How long an in-process sweep may take before it stops taking work, like a Lambda's timeout. */
const IN_PROCESS_SWEEP_BUDGET_MS = 15 * 60_000;

/**
 * Runs an operator command (refresh with trigger `operator`, revoke, or check) through the operator
 * handler: in this process against an emulator, by Lambda Invoke of the deployed operator function
 * otherwise. Only the refresher roles may decrypt refresh tokens, so in AWS this is the only way.
 */
export async function runOperatorCommand(
  aws: AwsSession,
  out: Output,
  command: OperatorCommand,
  allowedAccountsServers: readonly string[],
): Promise<OperatorResult> {
  const target = await aws.target();
  if (target.local) {
    // Quiet: the result says what happened to the one connection; a log line would repeat it.
    const deps = await aws.refresher({ allowedAccountsServers, log: quietLog });
    return createOperatorHandler(deps)(command);
  }
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

/** Runs one sweep of the due connections: in-process with `metrics` observing it, or the deployed function. */
export async function sweepNow(
  aws: AwsSession,
  out: Output,
  options: { readonly allowedAccountsServers: readonly string[]; readonly metrics: Metrics },
): Promise<SweepSummary> {
  const target = await aws.target();
  if (target.local) {
    const settings = { allowedAccountsServers: options.allowedAccountsServers };
    const deps = await aws.refresher({
      ...settings,
      metrics: options.metrics,
      log: humanLog((line) => out.note(line.trimEnd())),
    });
    const config = inProcessConfig(target, settings);
    const deadline = Date.now() + IN_PROCESS_SWEEP_BUDGET_MS;
    const handler = createSweepHandler(deps, {
      concurrency: config.sweepConcurrency,
      reserveMs: sweepReserveMs(config),
    });
    return handler({}, { getRemainingTimeInMillis: () => deadline - Date.now() });
  }
  // The deployed stack schedules with a planner now (it answers a PlanSummary): the ops helper moves
  // this command onto planRefreshes; until then it invokes the planner.
  const functionName = needFunction(target.names.plannerFunctionName, 'planner');
  out.note(`Invoking ${functionName} (this waits for the sweep to finish) …`);
  return invoke<SweepSummary>(aws, functionName, {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'zoho-token-refresher.cli',
    account: '',
    time: new Date().toISOString(),
    region: target.region,
    resources: [],
    detail: {},
  });
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
