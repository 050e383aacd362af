/**
 * `abuse`: one simulated hour in which 50 containers of a connection whose token lacks a scope report
 * every call's 401 (3,000 reports), and 1,000 forged reports target 20 other connections. Prints the
 * Zoho calls and secret versions beyond the schedule's (the same hour without any report), and checks
 * the goals of issue 9: at most one each per connection per 10 minutes from reports, none from forged
 * reports, and every invariant of the fault matrix.
 */
import { maxInWindow } from '../fault-matrix/ledger';
import {
  type AbuseRun,
  FORGED,
  type ForgedKind,
  NO_SCOPE,
  type Spent,
  simulateHour,
  VICTIMS,
} from './abuse-world';
import { type Bench, Checks, measure, row } from './harness';

const WINDOW_MS = 10 * 60_000;

const total = (spent: Spent, id: string, what: 'zohoAt' | 'versionsAt') => spent[what].get(id)?.length ?? 0;
const sum = (spent: Spent, what: 'zohoAt' | 'versionsAt') =>
  [...spent[what].values()].reduce((all, times) => all + times.length, 0);
/** The most `what` one connection got from `spent` in any 10 minutes. */
const worstWindow = (spent: Spent, what: 'zohoAt' | 'versionsAt') =>
  Math.max(0, ...[...spent[what].values()].map((times) => maxInWindow(times, WINDOW_MS)));
/** Connections that got more than one of `what` from `spent` in some 10 minutes. */
const overOnePerWindow = (spent: Spent, what: 'zohoAt' | 'versionsAt') =>
  [...spent[what].values()].filter((times) => maxInWindow(times, WINDOW_MS) > 1).length;

const everything = (run: AbuseRun): Spent[] => [run.schedule, run.containers, ...Object.values(run.forged)];
const ofConnection = (run: AbuseRun, id: string, what: 'zohoAt' | 'versionsAt') =>
  everything(run).reduce((all, spent) => all + total(spent, id, what), 0);

const answers = (spent: Spent) =>
  [...spent.answers.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([answer, count]) => `${answer}×${count}`)
    .join(' ');

function checksOf(run: AbuseRun): Checks {
  const checks = new Checks();
  checks.expect(
    'connections with >1 report-caused Zoho call in 10 min',
    overOnePerWindow(run.containers, 'zohoAt'),
    0,
  );
  checks.expect(
    'connections with >1 report-caused version in 10 min',
    overOnePerWindow(run.containers, 'versionsAt'),
    0,
  );
  for (const kind of Object.keys(run.forged) as ForgedKind[]) {
    checks.expect(`Zoho calls from forged reports (${kind})`, sum(run.forged[kind], 'zohoAt'), 0);
    checks.expect(`secret versions from forged reports (${kind})`, sum(run.forged[kind], 'versionsAt'), 0);
  }
  checks.expect(
    'never-issued reports refused',
    run.forged.never_issued.answers.get('rejected') ?? 0,
    run.forgedSent.never_issued,
  );
  checks.expect(
    'stale reports answered already_refreshed',
    run.forged.stale.answers.get('skipped:already_refreshed') ?? 0,
    run.forgedSent.stale,
  );
  checks.expect('invariant violations', run.violations.length, 0);
  return checks;
}

export const abuse: Bench = {
  name: 'abuse',
  description: `${50} containers with a permission-only 401 for one simulated hour + ${FORGED.toLocaleString('en')} forged reports (in-memory ports, real core)`,
  async run() {
    const baseline = await simulateHour(false);
    let last: AbuseRun | undefined;
    const measurement = await measure({
      runs: 3,
      warmupRuns: 1,
      setup: () => undefined,
      async run() {
        last = await simulateHour(true);
      },
    });
    if (!last) throw new Error('the abuse simulation did not run');
    const run = last;
    const extra = (id: string, what: 'zohoAt' | 'versionsAt') =>
      ofConnection(run, id, what) - ofConnection(baseline, id, what);
    const bound = (run.forged.other_source.answers.get('rejected') ?? 0) === run.forgedSent.other_source;
    return [
      row('abuse', run.reportsSent + FORGED, measurement, {
        counts: {
          reports: run.reportsSent,
          forged: FORGED,
          scheduleZohoNoScope: total(baseline.schedule, NO_SCOPE, 'zohoAt'),
          zohoNoScope: ofConnection(run, NO_SCOPE, 'zohoAt'),
          extraZohoNoScope: extra(NO_SCOPE, 'zohoAt'),
          extraVersionsNoScope: extra(NO_SCOPE, 'versionsAt'),
          reportZohoMaxPer10Min: worstWindow(run.containers, 'zohoAt'),
          reportVersionsMaxPer10Min: worstWindow(run.containers, 'versionsAt'),
          extraZohoVictims: VICTIMS.reduce((all, id) => all + extra(id, 'zohoAt'), 0),
          extraVersionsVictims: VICTIMS.reduce((all, id) => all + extra(id, 'versionsAt'), 0),
          forgedOtherSourceMaxPer10Min: worstWindow(run.forged.other_source, 'zohoAt'),
        },
        checks: checksOf(run).list,
        note: [
          `container reports: ${answers(run.containers)}`,
          ...(Object.keys(run.forged) as ForgedKind[]).map(
            (kind) => `forged ${kind} (${run.forgedSent[kind]}): ${answers(run.forged[kind])}`,
          ),
          bound
            ? 'reports are bound to their connection: a forged source is refused'
            : 'reports are NOT bound to their connection on this build (no source check): a forged report is judged as one from the victim, held only by its brakes (one refresh per 10 minutes for a fresh token)',
          ...run.violations.map((violation) => `INVARIANT BROKEN: ${violation}`),
        ].join('\n    '),
      }),
    ];
  },
};
