/**
 * The Zoho token budget of the real-Zoho sandbox, kept across runs. Zoho blocks the 11th token
 * request per refresh token in 10 minutes, for the rest of the window and for everyone using that
 * refresh token. Each run registers a fresh connection with no call history, so without this file
 * ten quick restarts would spend the budget ten times over. The file holds, per refresh token, the
 * times of the token requests of the last 10 minutes, under a SHA-256 of client id and refresh
 * token: never the token itself. The simulator mode keeps nothing (its throttle restarts with it).
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { duration } from '../../cli/format';
import type { Connection, EpochMillis } from '../../functions/core/connection';
import { ConfigurationError } from '../../functions/core/errors';
import {
  budgetAvailableAt,
  type RefreshPolicy,
  ZOHO_TOKEN_WINDOW_MS,
} from '../../functions/core/refresh-policy';
import { PROJECT_ROOT } from '../emulator/python-env';
import type { SandboxSettings } from './options';

/** Where the sandbox keeps what must outlive a run (git-ignored). */
export const DEFAULT_STATE_DIR = join(PROJECT_ROOT, '.sandbox');
export const ZOHO_CALLS_FILE = 'zoho-calls.json';

/** The one-line warning of every real-Zoho start. */
export const SHARED_TOKEN_WARNING =
  "warning: give the sandbox a refresh token of its own, never one that production also refreshes: production's token requests are invisible to this budget, and Zoho's block after 10 requests in 10 minutes would stop production too";

const ABOUT =
  'Zoho token requests the sandbox made in the last 10 minutes, per refresh token (key: SHA-256 of client id and refresh token). Delete only if no request was made in the last 10 minutes.';

interface LedgerFile {
  readonly about: string;
  readonly tokenRequests: Record<string, string[]>;
}

/** The file's key for a refresh token: it names the token without revealing it. */
export function budgetKey(clientId: string, refreshToken: string): string {
  return createHash('sha256').update(clientId).update('\0').update(refreshToken).digest('hex');
}

/** The token-request times of one refresh token, read at start and written before every request. */
export class ZohoCallLedger {
  readonly file: string;
  readonly #key: string;
  readonly #now: () => EpochMillis;
  /** Every call time this run knows of for its refresh token, so unchanged lists cost no write. */
  readonly #known = new Set<EpochMillis>();
  /** The write queue (never rejects), and its last write as its caller sees it. */
  #writing: Promise<void> = Promise.resolve();
  #lastWrite: Promise<void> = Promise.resolve();

  /**
   * Reads the file (creating its directory, mode 0700). A file it cannot read stops the start: the
   * calls it held are unknown, and guessing zero could send the request Zoho blocks.
   */
  static open(options: {
    readonly dir: string;
    readonly clientId: string;
    readonly refreshToken: string;
    readonly now?: () => EpochMillis;
  }): ZohoCallLedger {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const ledger = new ZohoCallLedger(
      join(options.dir, ZOHO_CALLS_FILE),
      budgetKey(options.clientId, options.refreshToken),
      options.now ?? Date.now,
    );
    const text = readIfExists(ledger.file);
    if (text !== undefined) {
      // A file someone else created may be readable by others; it only ever holds times, but keep it ours.
      chmodSync(ledger.file, 0o600);
      for (const at of parseLedger(text, ledger.file).tokenRequests[ledger.#key] ?? []) {
        ledger.#known.add(Date.parse(at));
      }
    }
    return ledger;
  }

  private constructor(file: string, key: string, now: () => EpochMillis) {
    this.file = file;
    this.#key = key;
    this.#now = now;
  }

  /** The calls of the last 10 minutes, oldest first. */
  calls(): EpochMillis[] {
    return inWindow([...this.#known], this.#now());
  }

  /** Adds `calls` (a connection's recent calls); writes the file only when one of them is new. */
  record(calls: readonly EpochMillis[]): Promise<void> {
    const now = this.#now();
    for (const at of this.#known) if (!counts(at, now)) this.#known.delete(at);
    const fresh = inWindow(calls, now).filter((at) => !this.#known.has(at));
    // Nothing new: saved already, or by the write in flight, whose outcome the caller shares.
    if (fresh.length === 0) return this.#lastWrite;
    for (const at of fresh) this.#known.add(at);
    // One write at a time; each re-reads the file so another run's entries are kept.
    const write = this.#writing.then(() => this.#write());
    // Unsaved calls are forgotten, so that the next record of them tries again.
    this.#writing = write.catch(() => {
      for (const at of fresh) this.#known.delete(at);
    });
    this.#lastWrite = write;
    return write;
  }

  async #write(): Promise<void> {
    const now = this.#now();
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    const stored = text === undefined ? {} : parseLedger(text, this.file).tokenRequests;
    const merged: Record<string, number[]> = {};
    for (const [key, times] of Object.entries(stored)) merged[key] = times.map((at) => Date.parse(at));
    merged[this.#key] = [...(merged[this.#key] ?? []), ...this.#known];
    const tokenRequests: Record<string, string[]> = {};
    for (const [key, times] of Object.entries(merged)) {
      const kept = [...new Set(inWindow(times, now))];
      if (kept.length > 0) tokenRequests[key] = kept.map((at) => new Date(at).toISOString());
    }
    const content: LedgerFile = { about: ABOUT, tokenRequests };
    // Written aside and renamed: a crash mid-write never leaves half a file that stops the next start.
    const temporary = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      await rename(temporary, this.file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}

/** The ledger of the real Zoho's credentials; undefined for the simulator or a non-Zoho server. */
export function openSandboxLedger(
  settings: SandboxSettings,
  dir: string,
  now?: () => EpochMillis,
): ZohoCallLedger | undefined {
  if (!settings.realZoho || settings.zoho.kind === 'simulator') return undefined;
  const { clientId, refreshToken } = settings.zoho.credentials;
  return ZohoCallLedger.open({ dir, clientId, refreshToken, ...(now === undefined ? {} : { now }) });
}

/**
 * A newly registered connection carrying the calls of earlier runs: its budget counts them, and it
 * is not due before the budget allows a call, so a spent budget shows no failed refresh at start.
 */
export function withEarlierCalls(
  connection: Connection,
  calls: readonly EpochMillis[],
  policy: RefreshPolicy,
  now: EpochMillis,
): Connection {
  if (calls.length === 0) return connection;
  const availableAt = budgetAvailableAt(calls, now, policy);
  return {
    ...connection,
    recentZohoCalls: [...calls],
    refreshDueAt: Math.max(connection.refreshDueAt, availableAt),
  };
}

/** The start's budget line, e.g. `Zoho budget: 6 of 9 token requests used in the last 10 minutes …`. */
export function describeBudget(
  calls: readonly EpochMillis[],
  policy: RefreshPolicy,
  now: EpochMillis,
  file: string,
): string {
  const shown = relative(process.cwd(), file);
  const where = shown.startsWith('..') ? file : shown;
  const used = `Zoho budget: ${calls.length} of ${policy.budget} token requests used in the last ${policy.budgetWindowMs / 60_000} minutes by earlier runs (${where})`;
  const availableAt = budgetAvailableAt(calls, now, policy);
  if (availableAt <= now) return used;
  const at = new Date(availableAt).toTimeString().slice(0, 8);
  return `${used}: no refresh until ${at} (in ${duration(availableAt - now)}); the sandbox runs meanwhile and refreshes then`;
}

/** Whether a call made at `at` still counts against Zoho's limit at `now`. */
const counts = (at: EpochMillis, now: EpochMillis) => at > now - ZOHO_TOKEN_WINDOW_MS;

function inWindow(calls: readonly EpochMillis[], now: EpochMillis): EpochMillis[] {
  return calls.filter((at) => counts(at, now)).sort((a, b) => a - b);
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The file as written by `#write`; anything else is refused, naming the file but never its content. */
function parseLedger(text: string, file: string): LedgerFile {
  const refuse = (why: string) =>
    new ConfigurationError(
      `${file} is not a Zoho budget file the sandbox can read (${why}); delete it only if no Zoho token request was made with this refresh token in the last 10 minutes`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw refuse('not JSON');
  }
  const requests = (parsed as { tokenRequests?: unknown } | null)?.tokenRequests;
  if (typeof requests !== 'object' || requests === null || Array.isArray(requests)) {
    throw refuse('no tokenRequests object');
  }
  for (const times of Object.values(requests)) {
    const valid =
      Array.isArray(times) && times.every((at) => typeof at === 'string' && Number.isFinite(Date.parse(at)));
    if (!valid) throw refuse('a tokenRequests entry is not a list of times');
  }
  return { about: ABOUT, tokenRequests: requests as Record<string, string[]> };
}
