/**
 * Runs moto (the AWS API emulator from `.venv/emulator`) as a child process on a free loopback
 * port, for the sandbox and the integration tests, with the speed-ups of moto_speedups.py (which
 * keep moto's behaviour and make its cost stop growing with the fleet). The child never outlives
 * this process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZohoTokenRefresherError } from '../../functions/core/errors';
import { ensurePythonTools } from './python-env';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 100;
const KILL_GRACE_MS = 3_000;
const OUTPUT_TAIL_CHARS = 4000;
/** Picking a port and binding it are two steps; another process may take the port in between. */
const PORT_ATTEMPTS = 3;

/** Static credentials for SDK clients. */
export interface EmulatorCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * Fake credentials: the emulator accepts any, and fake ones guarantee that a client that missed
 * its `endpoint` fails against real AWS instead of touching a real account.
 */
export const EMULATOR_CREDENTIALS: EmulatorCredentials = {
  accessKeyId: 'testing',
  secretAccessKey: 'testing',
};

export interface MotoServerOptions {
  /** Port to listen on; default: a free one. */
  readonly port?: number;
  /** Progress lines; default: stderr. */
  readonly log?: (line: string) => void;
}

export interface MotoServer {
  /** `http://127.0.0.1:PORT`: what every SDK client takes as `endpoint`. */
  readonly endpoint: string;
  /** Milliseconds from spawning the server to its first answer. */
  readonly startupMs: number;
  /** Forgets every resource the emulator holds. */
  reset(): Promise<void>;
  /** Stops the server; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** moto did not start or did not answer in time; the message ends with the tail of its output. */
export class MotoServerError extends ZohoTokenRefresherError {
  constructor(detail: string, outputTail: string) {
    super('emulator_failed', `AWS emulator (moto): ${detail}\n${outputTail.trim()}`);
  }
}

/** Starts moto and waits until it answers. */
export async function startMotoServer(options: MotoServerOptions = {}): Promise<MotoServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Only the emulator's venv: a first `npm start` need not wait for the scanners.
  const tools = await ensurePythonTools({ env: 'emulator', log });
  const attempts = options.port === undefined ? PORT_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      const server = await launch(tools.bin('python'), port);
      log(`AWS emulator (moto) listening on ${server.endpoint}, started in ${server.startupMs} ms`);
      return server;
    } catch (error) {
      const portTaken = error instanceof MotoServerError && /address already in use/i.test(error.message);
      if (!portTaken || attempt >= attempts) throw error;
    }
  }
}

/** moto's server with the speed-ups of moto_speedups.py (next to this file) applied first. */
const BOOT = [
  'import sys',
  `sys.path.insert(0, ${JSON.stringify(dirname(fileURLToPath(import.meta.url)))})`,
  'import moto_speedups',
  'moto_speedups.apply()',
  'from moto.server import main',
  'main(sys.argv[1:])',
].join('; ');

async function launch(executable: string, port: number): Promise<MotoServer> {
  const endpoint = `http://${HOST}:${port}`;
  const started = performance.now();
  let output = '';
  const child = spawn(executable, ['-c', BOOT, '-H', HOST, '-p', String(port)], {
    detached: false,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (error) => reject(new MotoServerError(`could not run ${executable}`, error.message))),
  );
  const unregister = killOnExit(child);

  const stop = async () => {
    unregister();
    await terminate(child, exited);
  };
  try {
    await Promise.race([waitUntilReady(endpoint, child, () => output), spawnError]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    startupMs: Math.round(performance.now() - started),
    reset: () => resetMoto(endpoint),
    stop,
  };
}

/** `POST /moto-api/reset`: forgets every resource of every service. */
export async function resetMoto(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new MotoServerError(`reset answered ${response.status}`, await response.text());
}

/** A port the OS just handed out on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new MotoServerError(`exited (${child.exitCode ?? child.signalCode}) before answering`, output());
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, READY_POLL_MS));
  }
  throw new MotoServerError(`no answer on ${endpoint} within ${READY_TIMEOUT_MS / 1000} s`, output());
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Kills the server when this process exits or is told to stop. A signal listener replaces Node's
 * default "exit on SIGINT/SIGTERM", so after killing the child the signal is raised again when no
 * one else handles it.
 */
function killOnExit(child: ChildProcess): () => void {
  const onExit = () => {
    child.kill('SIGKILL');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    unregister();
    child.kill('SIGKILL');
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const unregister = () => {
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return unregister;
}
