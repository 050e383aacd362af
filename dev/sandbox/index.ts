/**
 * The local sandbox (`npm start`): the whole refresher running on this machine. An AWS API
 * emulator with every resource of the stack, the Zoho simulator (or a real Zoho), the planner on a
 * timer and the refresh worker fed from its queue, the on-demand handler fed from the queue the bus
 * rule fills, a demo consumer per connection calling the Books API through the consumer library,
 * and a live table.
 * Stops on SIGINT/SIGTERM, an abort signal or `--duration` (counted from the end of the start-up),
 * and leaves nothing running; in an emulator it did not start, it removes what it registered.
 */
import type { Connection } from '../../functions/core/connection';
import type { HistoryEntry } from '../../functions/core/ports';
import type { RefreshDependencies } from '../../functions/core/refresh-deps';
import { humanLog } from '../emulator/in-process';
import { type AwsSide, startAwsSide } from './aws-side';
import { describeRemoved, type Removed, removeDemoConnections } from './cleanup';
import { EventLog, type TimedEvent } from './events';
import { type LinkDemo, startLinkDemo } from './link-demo';
import { refreshTable, startLoops } from './loops';
import { describeSchedule, resolveSandboxSettings, type SandboxOptions, type SandboxOutput } from './options';
import { createSandboxRefresher, type SandboxRefresher } from './refresher';
import { Runner } from './runner';
import { type RegisteredConnection, refuseForeignConnections, registerDemoConnections } from './setup';
import { SandboxView } from './view';
import { DEFAULT_STATE_DIR, describeBudget, openSandboxLedger, SHARED_TOKEN_WARNING } from './zoho-budget';
import { startZohoSide, type ZohoSide } from './zoho-side';

export type { SandboxEvent, TimedEvent } from './events';
export type { SandboxOptions, SandboxOutput } from './options';

/** How long a stop waits for work in flight (a Zoho call, a drain) before closing everything. */
const STOP_GRACE_MS = 5_000;

/** A connection the sandbox registered, without its refresh token. */
export type SandboxConnection = Omit<RegisteredConnection, 'refreshToken'>;

/** What a run did, for the caller (and the tests). Never holds a token. */
export interface SandboxReport {
  readonly startedAt: number;
  /**
   * When the start-up ended (emulator up, resources created, Zoho side listening, connections
   * registered) and the loops started: `durationSeconds` counts from here. Absent when a stop came
   * first.
   */
  readonly readyAt?: number;
  readonly stoppedAt: number;
  /** From the end of the start-up (`readyAt`) to the first successful refresh. */
  readonly firstRefreshMs?: number;
  readonly awsEndpoint?: string;
  readonly startedEmulator: boolean;
  readonly connections: readonly SandboxConnection[];
  /** The connections removed at the stop from an emulator the sandbox did not start. */
  readonly removedFromEmulator?: readonly string[];
  /** The connections as stored just before the stop. */
  readonly finalState: readonly Connection[];
  readonly events: readonly TimedEvent[];
  /** Zoho token requests per connection, as the refresher counted them (its history). */
  readonly zohoCalls: Readonly<Record<string, number>>;
  /** What the simulator itself counted, when the sandbox ran one. */
  readonly simulator?: {
    readonly tokenCalls: Readonly<Record<string, number>>;
    readonly books: number;
    readonly books401: number;
  };
  readonly stoppedBy: 'duration' | 'signal' | 'abort';
}

/** Runs the sandbox until it is told to stop; resolves once everything it started is stopped. */
export async function runSandbox(options: SandboxOptions = {}): Promise<SandboxReport> {
  const settings = resolveSandboxSettings(options);
  // Before anything starts: a budget file it cannot read stops the start (real Zoho only).
  const ledger = openSandboxLedger(settings, options.stateDir ?? DEFAULT_STATE_DIR);
  const out: SandboxOutput = options.out ?? {
    write: (text) => process.stdout.write(text),
    isTTY: process.stdout.isTTY === true,
  };
  const startedAt = Date.now();
  const runner = new Runner();
  const log = new EventLog();
  const view = new SandboxView(out);
  log.onRecord((event) => view.event(event));

  let stopRequested: (reason: SandboxReport['stoppedBy']) => void = () => undefined;
  const stopped = new Promise<SandboxReport['stoppedBy']>((resolve) => {
    stopRequested = resolve;
  });
  const detach = attachStopTriggers(options, stopRequested);

  const zohoCalls = new Map<string, number>();
  let firstRefreshAt: number | undefined;
  const onHistory = (entry: HistoryEntry) => {
    zohoCalls.set(entry.connectionId, (zohoCalls.get(entry.connectionId) ?? 0) + entry.zohoCalls);
    if (firstRefreshAt === undefined && entry.outcome === 'refreshed') firstRefreshAt = Date.now();
    log.record({
      kind: 'refresh',
      connectionId: entry.connectionId,
      trigger: entry.trigger,
      outcome: entry.outcome,
      version: entry.version,
      zohoCalls: entry.zohoCalls,
      ...(entry.errorCode === undefined ? {} : { errorCode: entry.errorCode }),
    });
  };

  let zoho: ZohoSide | undefined;
  let aws: AwsSide | undefined;
  let deps: RefreshDependencies | undefined;
  let refresher: SandboxRefresher | undefined;
  let connections: RegisteredConnection[] = [];
  let finalState: Connection[] = [];
  let readyAt: number | undefined;
  let removed: Removed | undefined;
  let clientAppCreated = false;
  let linkDemo: LinkDemo | undefined;
  const closing: string[] = [];
  try {
    view.header('zoho-token-refresher sandbox. Ctrl-C stops it and everything it started.');
    zoho = await startZohoSide(settings.zoho);
    view.header(`Zoho: ${zoho.description}`);
    if (ledger !== undefined) view.header(SHARED_TOKEN_WARNING);
    aws = await startAwsSide({
      ...(settings.awsEndpoint === undefined ? {} : { endpoint: settings.awsEndpoint }),
      ...(settings.region === undefined ? {} : { region: settings.region }),
      log: (line) => view.header(line),
    });
    view.header(
      `AWS: ${aws.startedEmulator ? 'moto started on' : 'the emulator at'} ${aws.endpoint}: table ${aws.resources.tableName}, bus ${aws.resources.eventBusName}`,
    );
    const warnings = humanLog((line) =>
      log.record({ kind: 'warning', text: line.trim().replace(/^warning: /, '') }),
    );
    // The ledger's refresh token is the real Zoho's only demo connection's: only its calls count.
    const budgeted = new Set<string>();
    const onZohoCalls = async (connectionId: string, calls: readonly number[]) => {
      if (budgeted.has(connectionId)) await ledger?.record(calls);
    };
    refresher = createSandboxRefresher(aws, zoho, {
      log: warnings,
      onHistory,
      ...(ledger === undefined ? {} : { onZohoCalls }),
    });
    ({ deps } = refresher);
    if (!aws.startedEmulator) await refuseForeignConnections(deps, aws.endpoint);
    const earlierCalls = ledger?.calls() ?? [];
    const { registered, disabled, createdClientApp } = await registerDemoConnections(
      aws,
      zoho,
      deps,
      () => earlierCalls,
    );
    connections = registered;
    clientAppCreated = createdClientApp;
    if (ledger !== undefined) {
      for (const c of registered) budgeted.add(c.connectionId);
      view.header(describeBudget(earlierCalls, deps.policy, Date.now(), ledger.file));
    }
    if (disabled.length > 0)
      view.header(`Disabled the connections of an earlier run: ${disabled.join(', ')}`);
    view.header(
      `Connections: ${connections.map((c) => `${c.connectionId} (${c.dc})`).join(', ')}; ${describeSchedule(settings)}`,
    );
    linkDemo = await startLinkDemo(aws, zoho, deps);
    if (linkDemo !== undefined) {
      view.header(`Add a third connection as a customer would: open ${linkDemo.url} and approve`);
    }
    const ctx = {
      ...{ settings, runner, aws, zoho, deps, refresher, connections, log, view, zohoCalls },
      ...(linkDemo === undefined ? {} : { linkConnectionId: linkDemo.connectionId }),
    };
    // A signal during the start-up has already asked for the stop: do not start the loops then.
    if (!(await settledYet(stopped))) {
      // The system is up: --duration counts from here, not from a start-up that may have spent
      // ~20 s installing moto.
      readyAt = Date.now();
      if (settings.durationMs !== undefined) {
        runner.after(settings.durationMs, () => stopRequested('duration'));
      }
      await startLoops(ctx);
    }
    await stopped;
    await runner.stop(STOP_GRACE_MS);
    finalState = await refreshTable(ctx).catch(() => []);
    view.printTable('Final state:');
  } finally {
    await runner.stop(STOP_GRACE_MS);
    // The emulator outlives the sandbox; the connections would point at a Zoho side that is gone.
    if (aws !== undefined && !aws.startedEmulator && deps !== undefined && connections.length > 0) {
      const ids = connections.map((c) => c.connectionId);
      // The connection a browser added through the demo link goes with the others.
      const linked = linkDemo?.connectionId;
      if (linked !== undefined && (await deps.store.get(linked).catch(() => undefined)) !== undefined)
        ids.push(linked);
      try {
        removed = await removeDemoConnections(aws, deps, ids, clientAppCreated);
        closing.push(describeRemoved(removed, aws.endpoint));
      } catch (error) {
        closing.push(
          `warning: could not remove ${ids.join(', ')} from the emulator at ${aws.endpoint} (${error instanceof Error ? error.message : error}); the next start disables them`,
        );
      }
    }
    await linkDemo?.stop().catch((error: unknown) => {
      closing.push(
        `warning: could not stop the demo link (${error instanceof Error ? error.message : error})`,
      );
    });
    await zoho?.stop();
    await aws?.stop();
    detach();
  }

  const stoppedAt = Date.now();
  closing.push(
    `${describeRun(startedAt, readyAt, stoppedAt, firstRefreshAt)} Everything the sandbox started is stopped.`,
  );
  view.footer(closing.join('\n'));
  return {
    startedAt,
    ...(readyAt === undefined ? {} : { readyAt }),
    stoppedAt,
    ...(firstRefreshAt === undefined || readyAt === undefined
      ? {}
      : { firstRefreshMs: firstRefreshAt - readyAt }),
    ...(aws === undefined ? {} : { awsEndpoint: aws.endpoint }),
    startedEmulator: aws?.startedEmulator ?? false,
    connections: connections.map(({ refreshToken: _secret, ...connection }) => connection),
    ...(removed === undefined ? {} : { removedFromEmulator: removed.connections }),
    finalState,
    events: log.events,
    zohoCalls: Object.fromEntries(zohoCalls),
    ...(zoho?.simulator === undefined ? {} : { simulator: simulatorCounts(zoho, connections) }),
    stoppedBy: await stopped,
  };
}

/** SIGINT/SIGTERM and the caller's abort signal ask for the stop; a second signal exits at once. */
function attachStopTriggers(
  options: SandboxOptions,
  stop: (reason: SandboxReport['stoppedBy']) => void,
): () => void {
  let firstSignalAt: number | undefined;
  const onSignal = () => {
    // A signal sent to the process and to its group arrives twice at once: only a second Ctrl-C
    // a moment later forces the exit (moto's own exit hook still kills the emulator then).
    if (firstSignalAt !== undefined && Date.now() - firstSignalAt > 1_000) process.exit(130);
    firstSignalAt ??= Date.now();
    stop('signal');
  };
  const onAbort = () => stop('abort');
  if (options.handleSignals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  if (options.signal?.aborted) stop('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    options.signal?.removeEventListener('abort', onAbort);
  };
}

async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending');
  return (await Promise.race([promise, Promise.resolve(pending)])) !== pending;
}

function simulatorCounts(zoho: ZohoSide, connections: readonly RegisteredConnection[]) {
  const calls = zoho.simulator?.calls;
  return {
    tokenCalls: Object.fromEntries(
      connections.map((c) => [c.connectionId, calls?.tokenCallsFor(c.refreshToken) ?? 0]),
    ),
    books: calls?.books ?? 0,
    books401: calls?.books401 ?? 0,
  };
}

/**
 * `Ran 20.0 s after a 21.3 s start-up; first refresh 0.4 s in.`: the start-up (moto's first install,
 * the resources, the simulator) is counted apart, so a short --duration is not a puzzle.
 */
export function describeRun(
  startedAt: number,
  readyAt: number | undefined,
  stoppedAt: number,
  firstRefreshAt: number | undefined,
): string {
  if (readyAt === undefined) return `Stopped during the start-up, after ${secs(stoppedAt - startedAt)}.`;
  const first =
    firstRefreshAt === undefined
      ? 'no refresh happened'
      : `first refresh ${secs(firstRefreshAt - readyAt)} in`;
  return `Ran ${secs(stoppedAt - readyAt)} after a ${secs(readyAt - startedAt)} start-up; ${first}.`;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
