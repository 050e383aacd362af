/**
 * Times the import of one bundle in a fresh node process, as Lambda's cold start imports the
 * handler: the parent runs it with the function's node flags and environment. Prints one JSON line.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lambdaNodeFlags } from '../lambda-child';

/** The child's program: node built-ins only, so no loader stands between node and the bundle. */
const TIMER_SOURCE = `const cpu = process.cpuUsage();
const started = performance.now();
const module = await import(process.argv[2]);
const importMs = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify({ importMs, importCpuMs: (user + system) / 1000, handler: typeof module.handler === 'function' }));
`;

/** Writes the timer program into `dir`; returns its path. */
export async function writeImportTimer(dir: string): Promise<string> {
  const path = join(dir, 'import-timer.mjs');
  await writeFile(path, TIMER_SOURCE);
  return path;
}

export interface ImportTiming {
  /** Wall-clock time of the import: what a cold start waits for. */
  readonly importMs: number;
  /**
   * CPU time of the process during the import (all its threads). On a busy machine the wall clock
   * also counts the time other processes held the cores; this does not, so its ratio stays close
   * to what an idle machine (a Lambda sandbox) shows when the wall clock's wanders.
   */
  readonly importCpuMs: number;
  /** The bundle exports a `handler` function. */
  readonly handler: boolean;
}

/** Imports `bundle` once in a fresh node with Lambda's heap flags for `memoryMb` and only `environment`. */
export function timeImport(
  timer: string,
  bundle: string,
  memoryMb: number,
  environment: Readonly<Record<string, string>>,
): Promise<ImportTiming> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...lambdaNodeFlags(memoryMb), timer, pathToFileURL(bundle).href],
      { env: { ...environment }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`importing ${bundle} failed: ${stderr.split('\n').slice(0, 5).join(' | ')}`));
          return;
        }
        resolve(JSON.parse(stdout) as ImportTiming);
      },
    );
  });
}

/**
 * The counting program: the import, then exit at once. No output: writing to a pipe loads Node's
 * stream modules, which the SDK has loaded already in a bundle's process but not in the empty
 * module's, and would be subtracted from every count.
 */
const IMPORT_ONLY_SOURCE = `await import(process.argv[2]);
process.exit(0);
`;

/** Writes the counting program into `dir`; returns its path. */
export async function writeImportOnly(dir: string): Promise<string> {
  const path = join(dir, 'import-only.mjs');
  await writeFile(path, IMPORT_ONLY_SOURCE);
  return path;
}

/**
 * Instructions the CPU ran for the whole process of `program` (writeImportOnly's: node's start, the
 * import, the exit), counted by valgrind's callgrind: a count that another process on the machine
 * cannot change, where the clock's ratio wanders by ±0.05 on a shared 2-core machine. V8 runs single-threaded
 * (its background compiling and GC on the main thread) with fixed hash and random seeds, so two
 * counts of one bundle agree to about 0.01 %. Slow (≈ 10 s a process): run once per bundle.
 */
export function countInstructions(
  program: string,
  bundle: string,
  memoryMb: number,
  environment: Readonly<Record<string, string>>,
): Promise<number> {
  const node = [...lambdaNodeFlags(memoryMb), ...DETERMINISTIC_V8_FLAGS, program, pathToFileURL(bundle).href];
  return new Promise((resolve, reject) => {
    execFile(
      'valgrind',
      [
        '--tool=callgrind',
        '--callgrind-out-file=/dev/null',
        '--smc-check=all-non-file',
        process.execPath,
        ...node,
      ],
      { env: { ...environment }, timeout: 300_000 },
      (error, _stdout, stderr) => {
        const total = /I\s+refs:\s+([\d,]+)/.exec(stderr)?.[1];
        if (error || total === undefined) {
          reject(
            new Error(`counting ${bundle} failed (is valgrind installed?): ${error?.message ?? 'no total'}`),
          );
          return;
        }
        resolve(Number(total.replaceAll(',', '')));
      },
    );
  });
}

const DETERMINISTIC_V8_FLAGS = ['--single-threaded', '--hash-seed=1', '--random-seed=1'];

/** A module that only exports a handler: its count is node's start and exit. */
export async function writeEmptyModule(dir: string): Promise<string> {
  const path = join(dir, 'empty.mjs');
  await writeFile(path, 'export const handler = async () => undefined;\n');
  return path;
}
