/**
 * The fleet in two lines, for `status` (and the local `sweep`): what waits on the refresh queue, and
 * the backlog the table shows — the active connections whose refresh is due and not done, and how
 * long the oldest of them has waited. At the planner's cadence a healthy fleet shows almost none
 * due; an oldest due that keeps growing means the workers fall behind (the RefreshBacklogAge alarm).
 */
import type { Connection } from '../functions/core/connection';
import { errorName } from './doctor/check';
import { duration } from './format';
import { describeDepth, type QueueReading } from './refresh-queue';

/** The due part of the fleet at one moment. */
export interface DueSummary {
  readonly active: number;
  /** Active connections whose refresh time has passed. */
  readonly dueNow: number;
  /** The earliest refresh time among them (the backlog's age is now − this). */
  readonly oldestDueAt?: number;
  /** When nothing is due: the next refresh time. */
  readonly nextDueAt?: number;
}

/** The due summary of `connections` at `now`. */
export function summariseDue(connections: readonly Connection[], now: number): DueSummary {
  const active = connections.filter((connection) => connection.status === 'active');
  const due = active.filter((connection) => connection.refreshDueAt <= now);
  const earliest = (of: readonly Connection[]) =>
    of.reduce<number | undefined>(
      (min, c) => (min === undefined ? c.refreshDueAt : Math.min(min, c.refreshDueAt)),
      undefined,
    );
  const oldestDueAt = earliest(due);
  const nextDueAt = due.length === 0 ? earliest(active) : undefined;
  return {
    active: active.length,
    dueNow: due.length,
    ...(oldestDueAt === undefined ? {} : { oldestDueAt }),
    ...(nextDueAt === undefined ? {} : { nextDueAt }),
  };
}

/** `Due now: 55 of 2000 active connections, the oldest for 2m.` or `Due now: none of 12 active; the next in 4m.` */
export function describeDue(summary: DueSummary, now: number): string {
  if (summary.dueNow === 0) {
    const next =
      summary.nextDueAt === undefined
        ? ''
        : `; the next in ${duration(Math.max(0, summary.nextDueAt - now))}`;
    return `Due now: none of ${summary.active} active connection(s)${next}.`;
  }
  const oldest =
    summary.oldestDueAt === undefined ? '' : `, the oldest for ${duration(now - summary.oldestDueAt)}`;
  return `Due now: ${summary.dueNow} of ${summary.active} active connection(s)${oldest}.`;
}

/** `Refresh queue: 12 waiting, 3 in flight; dead-letter queue: empty.` and what to do about it. */
export function describeQueue(reading: QueueReading): string {
  switch (reading.kind) {
    case 'missing':
      return reading.local
        ? "Refresh queue: none in the emulator (run 'npm run local -- init' again)."
        : 'Refresh queue: unknown (the stack has no RefreshQueueUrl output: deploy this version).';
    case 'unreadable':
      return `Refresh queue: not readable (${errorName(reading.error)}).`;
    case 'read': {
      const { state } = reading;
      const deadLetters =
        state.deadLetters === undefined
          ? 'no dead-letter queue'
          : state.deadLetters.waiting === 0
            ? 'dead-letter queue: empty'
            : `dead-letter queue: ${state.deadLetters.waiting} failed order(s) ('zoho-tokens doctor' says what to do)`;
      return `Refresh queue: ${describeDepth(state)}; ${deadLetters}.`;
    }
  }
}
