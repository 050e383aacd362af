/**
 * What a development build plugs into the operator CLI for an AWS API emulator. The CLI itself
 * targets an emulator generically (`--aws-endpoint`, as `aws --endpoint-url` does): every command
 * that only calls AWS APIs works there as in AWS. But an emulator runs no Lambda functions, so the
 * commands that run the refresher's functions (refresh, enable, revoke, sweep, doctor ID) need them
 * run in this process, and an emulator may need its SDK clients adapted to its quirks. Neither is
 * part of the shipped CLI: the workshop (dev/) provides both and passes them to `main`.
 */
import type { PlanSummary } from '../functions/core/plan-refreshes';
import type { OperatorCommand } from '../functions/operator/operator-command';
import type { OperatorResult } from '../functions/operator/operator-handler';
import type { AwsSession } from './aws-session';
import type { TargetClients } from './aws-target';
import type { Output } from './io';

/** What the in-process workers did with the queued orders of a local sweep. */
export interface WorkReport {
  /** Orders handed to the worker handler. */
  readonly delivered: number;
  readonly refreshed: number;
  /** Refreshes that failed (recorded on the connection and rescheduled: `history` says why). */
  readonly failed: number;
  /** Nothing to do: already refreshed, not due, another worker held the lease, … */
  readonly skipped: number;
  /** Orders the worker handed back (it threw): left on the queue for redelivery, then the dead-letter queue. */
  readonly leftForRedelivery: number;
  /** Orders still held back by the queue until their connection is due. */
  readonly heldBack: number;
}

/** A sweep run in this process: the planner's summary and what the workers did with it. */
export interface LocalSweep {
  readonly plan: PlanSummary;
  readonly work: WorkReport;
}

/** The emulator-specific pieces a development build injects (see the file comment). */
export interface EmulatorHooks {
  /** The target's SDK clients, adapted to the emulator (e.g. moto: DynamoDB writes one at a time). */
  readonly adaptClients: (clients: TargetClients) => TargetClients;
  /** Runs an operator command through the operator function's handler, in this process. */
  readonly runOperator: (
    aws: AwsSession,
    command: OperatorCommand,
    allowedAccountsServers: readonly string[],
  ) => Promise<OperatorResult>;
  /** Plans every connection due now and has the orders refreshed by a worker, in this process. */
  readonly sweep: (
    aws: AwsSession,
    out: Output,
    options: { readonly allowedAccountsServers: readonly string[] },
  ) => Promise<LocalSweep>;
}
