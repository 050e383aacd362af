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
