/**
 * The project's own Python environments, each a venv under `.venv/` at the project root:
 * `emulator` (moto, `requirements-emulator.txt`) and `scanners` (cfn-lint and checkov,
 * `requirements-scanners.txt`). Two venvs because checkov pins an old boto3/botocore, and moto
 * speaks each service in the protocol of the installed botocore model: with checkov's pin,
 * CloudWatch answers the SDK v3's JSON requests with HTTP 500. Installed on first use, so a fresh
 * clone needs nothing but Node and Python 3.10+.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZohoTokenRefresherError } from '../../functions/core/errors';

/** The project root, found from this file so the CLI works from any working directory. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Environment variable naming the interpreter that creates the venv (default `python3`). */
export const PYTHON_ENV_VAR = 'ZOHO_TOKENS_PYTHON';

const MIN_PYTHON: readonly [number, number] = [3, 10];
/** A lock older than this is left over from a killed install (pip takes about a minute). */
const STALE_LOCK_MS = 15 * 60_000;
const LOCK_POLL_MS = 500;
const OUTPUT_TAIL_CHARS = 4000;

/** Where the venvs live (git-ignored). */
export const VENV_ROOT = join(PROJECT_ROOT, '.venv');

/** One venv under `.venv/`. */
export type PythonEnvName = 'emulator' | 'scanners';

interface PythonEnvSpec {
  /** Pins of the venv, relative to the project root. */
  readonly requirements: string;
  /** What it holds, for progress lines. */
  readonly holds: string;
}

const ENVIRONMENTS: Readonly<Record<PythonEnvName, PythonEnvSpec>> = {
  emulator: { requirements: 'requirements-emulator.txt', holds: 'the AWS emulator (moto)' },
  scanners: { requirements: 'requirements-scanners.txt', holds: 'the template scanners (cfn-lint, checkov)' },
};

export interface PythonTools {
  /** The venv, or `.venv` itself for `'all'`. */
  readonly venvDir: string;
  /** The venv's interpreter; for `'all'`, the emulator's. */
  readonly python: string;
  /**
   * Path of an executable installed into the venv (`moto_server` in `emulator`, `cfn-lint` and
   * `checkov` in `scanners`); for `'all'`, in the first venv that has it.
   */
  bin(name: string): string;
}

export interface PythonEnvOptions {
  /**
   * The venv to make sure of; `'all'` installs both side by side.
   * @default 'all'
   */
  readonly env?: PythonEnvName | 'all';
  /** Progress lines; default: stderr. */
  readonly log?: (line: string) => void;
}

/** No usable Python interpreter. */
export class PythonNotFoundError extends ZohoTokenRefresherError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      'python_not_found',
      `${detail}. Install Python ${MIN_PYTHON.join('.')}+ (with the venv module) or set ${PYTHON_ENV_VAR} to its path`,
      options,
    );
  }
}

/** Creating a venv or `pip install` failed; the message ends with the tail of the tool's output. */
export class PythonInstallError extends ZohoTokenRefresherError {
  constructor(step: string, outputTail: string) {
    super('python_install_failed', `${step} failed:\n${outputTail.trim()}`);
  }
}

/** Another process held a venv's install lock for too long. */
export class PythonEnvLockTimeoutError extends ZohoTokenRefresherError {
  constructor(lockDir: string) {
    super('python_env_locked', `Timed out waiting for another install (lock ${lockDir}); remove it if stale`);
  }
}

/**
 * Makes sure the asked venv (default: both) exists and holds exactly what its requirements file
 * pins; installs only when that file changed since the last install. Safe to call from several
 * processes at once: one installs, the others wait for it.
 */
export async function ensurePythonTools(options: PythonEnvOptions = {}): Promise<PythonTools> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = options.env ?? 'all';
  if (env !== 'all') return ensureEnv(env, log);
  // Separate venvs with separate locks: nothing stops them from installing at the same time.
  const [emulator, scanners] = await Promise.all([ensureEnv('emulator', log), ensureEnv('scanners', log)]);
  return {
    venvDir: VENV_ROOT,
    python: emulator.python,
    bin: (name) =>
      [emulator.bin(name), scanners.bin(name)].find((path) => existsSync(path)) ?? emulator.bin(name),
  };
}

async function ensureEnv(name: PythonEnvName, log: (line: string) => void): Promise<PythonTools> {
  const { requirements, holds } = ENVIRONMENTS[name];
  const label = `.venv/${name}`;
  const tools = toolsIn(join(VENV_ROOT, name));
  const wanted = sha256(await readFile(join(PROJECT_ROOT, requirements)));
  const stampFile = join(tools.venvDir, '.requirements.sha256');

  if (await isInstalled(tools, stampFile, wanted)) return tools;

  // Inside .venv (git-ignored): `python -m venv` fills an existing directory without complaint.
  await mkdir(tools.venvDir, { recursive: true });
  const lockDir = join(tools.venvDir, '.install.lock');
  await acquireLock(lockDir, () => log(`Waiting for another process to finish installing ${label}…`));
  try {
    // Whoever held the lock before us may have just installed the same requirements.
    if (await isInstalled(tools, stampFile, wanted)) return tools;
    const started = performance.now();
    if (existsSync(tools.python)) {
      log(`${requirements} changed: updating ${holds} in ${label}…`);
    } else {
      const interpreter = await findInterpreter();
      log(`Installing ${holds} into ${label} (first run only)…`);
      await run(interpreter, ['-m', 'venv', tools.venvDir], `Creating ${label}`);
    }
    await rm(stampFile, { force: true });
    await run(
      tools.python,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements],
      `pip install -r ${requirements}`,
    );
    await writeFile(stampFile, `${wanted}\n`);
    log(`${label} is ready (installed in ${Math.round((performance.now() - started) / 1000)} s).`);
    return tools;
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

function toolsIn(venvDir: string): PythonTools {
  const binDir = join(venvDir, process.platform === 'win32' ? 'Scripts' : 'bin');
  const exe = process.platform === 'win32' ? '.exe' : '';
  return { venvDir, python: join(binDir, `python${exe}`), bin: (name) => join(binDir, `${name}${exe}`) };
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function isInstalled(tools: PythonTools, stampFile: string, wanted: string): Promise<boolean> {
  if (!existsSync(tools.python)) return false;
  const stamp = await readFile(stampFile, 'utf8').catch(() => '');
  return stamp.trim() === wanted;
}

/** The interpreter to build the venv with, checked for version and the venv module. */
async function findInterpreter(): Promise<string> {
  const interpreter = process.env[PYTHON_ENV_VAR] || 'python3';
  const probe = 'import sys, venv; print("%d.%d" % sys.version_info[:2])';
  let version: string;
  try {
    version = (await run(interpreter, ['-c', probe], `${interpreter} -c`)).trim();
  } catch (error) {
    throw new PythonNotFoundError(`Could not run '${interpreter}'`, { cause: error });
  }
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    throw new PythonNotFoundError(`'${interpreter}' is Python ${version}`);
  }
  return interpreter;
}

/** Runs a command to completion; its output is kept (not printed) for the error message. */
function run(command: string, args: readonly string[], step: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    const child = spawn(command, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => reject(new PythonInstallError(step, error.message)));
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise(output);
      else reject(new PythonInstallError(step, `${output}\n(exit ${code ?? signal})`));
    });
  });
}

/**
 * A lock directory: `mkdir` is atomic across processes. Its owner file names the pid so a lock
 * left by a killed process is broken at once; an unreadable or very old lock is broken too.
 */
async function acquireLock(lockDir: string, onWait: () => void): Promise<void> {
  const deadline = Date.now() + STALE_LOCK_MS;
  let waited = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'owner'), `${process.pid}@${hostname()}\n`);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(lockDir)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new PythonEnvLockTimeoutError(lockDir);
    if (!waited) onWait();
    waited = true;
    await new Promise((done) => setTimeout(done, LOCK_POLL_MS));
  }
}

async function isStale(lockDir: string): Promise<boolean> {
  const created = await stat(lockDir).then(
    (s) => s.mtimeMs,
    () => undefined,
  );
  if (created === undefined) return false; // released meanwhile: retry mkdir
  if (Date.now() - created > STALE_LOCK_MS) return true;
  const owner = await readFile(join(lockDir, 'owner'), 'utf8').catch(() => undefined);
  // The owner writes its file right after mkdir; give it a moment before judging.
  if (owner === undefined) return Date.now() - created > 10_000;
  const [pid, host] = owner.trim().split('@');
  if (host !== hostname()) return false;
  return !isAlive(Number(pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
