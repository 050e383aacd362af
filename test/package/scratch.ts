/**
 * Scratch projects for the newcomer scenarios: the tarball packed once from this clone, installed
 * with npm into fresh folders as a user would, and commands run in them.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What a command printed and how it ended; never throws on a non-zero exit. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command args` in `cwd`, without a shell. */
export async function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(command, [...args], {
      cwd,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** A command that must succeed: its output, or an error carrying everything it printed. */
export async function runOk(command: string, args: readonly string[], cwd: string): Promise<RunResult> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) exited ${result.code}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/** `npm pack` of this clone (its `prepack` builds `dist/`) into `dir`; the tarball's path. */
export async function packTarball(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await runOk('npm', ['pack', '--pack-destination', dir], PROJECT_ROOT);
  const [tarball] = (await readdir(dir)).filter((name) => name.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack wrote no tarball into ${dir}`);
  return join(dir, tarball);
}

/** An npm failure worth one more try: the registry or the network, not our package. */
const REGISTRY_TROUBLE =
  /E(AI_AGAIN|CONNRESET|CONNREFUSED|TIMEDOUT|NOTFOUND|SOCKETTIMEOUT)|\b(429|50[0-4])\b/;

/**
 * `npm install` in `dir` from the shared npm cache (`--prefer-offline`: what is cached is not
 * fetched again), retried once on a registry error. Any other failure fails the scenario.
 */
export async function npmInstall(dir: string): Promise<void> {
  const args = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
  const first = await run('npm', args, dir);
  if (first.code === 0) return;
  if (!REGISTRY_TROUBLE.test(first.stderr)) {
    throw new Error(`npm install in ${dir} failed\n${first.stderr}`);
  }
  await runOk('npm', args, dir);
}

/** The version of a package this clone has installed: cached by npm already, so a fast install. */
export function installedVersion(name: string): string {
  const manifest = readFileSync(join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

/** Writes `files` (path relative to `dir` → text) under `dir`. */
export async function writeFiles(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}
