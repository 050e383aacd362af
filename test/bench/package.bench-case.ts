/**
 * `package`: what a newcomer installs and waits for (issue 11's figures). Packs this clone, installs
 * the tarball alone into a scratch project (as a consumer Lambda's project would) and prints:
 *
 * `package: tarball_files=N tarball_bytes=B consumer_install_bytes=A consumer_install_disk_bytes=D cli_help_ms=H node_baseline_ms=E cli_help_ratio=R`
 *
 * `consumer_install_bytes` adds up the files' sizes (what npm writes); `_disk_bytes` is `du`'s
 * count of the blocks they take. `cli_help_ms` is the median of fresh `zoho-tokens --help` runs from
 * the installed package, interleaved with `node -e 0` runs (`node_baseline_ms`) on the same machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmInstall, packTarball, runOk, writeFiles } from '../package/scratch';
import { type Bench, Checks, type Measurement, row } from './harness';

const NAME = 'package';
/** Fresh processes per variant; `PACKAGE_BENCH_RUNS` overrides. */
const DEFAULT_RUNS = 11;
/** Paths no tarball may hold: tests, CI, tool configuration, the dev wing. */
const NOT_SHIPPED = /^package\/(test|\.ci|dev|build)\/|^package\/(vitest|biome|tsconfig|cdk)[^/]*$/;

export const packageBench: Bench = {
  name: NAME,
  description: 'the packed tarball, a consumer-only install of it, and the start of its CLI',
  async run(context) {
    const dir = await mkdtemp(join(tmpdir(), 'zoho-package-bench-'));
    try {
      context.progress(`${NAME}: npm pack (builds dist/)`);
      const tarball = await packTarball(join(dir, 'pack'));
      const files = (await runOk('tar', ['-tzf', tarball], dir)).stdout.split('\n').filter(Boolean);
      const project = join(dir, 'consumer');
      await writeFiles(project, {
        'package.json': JSON.stringify({
          name: 'consumer-only',
          private: true,
          type: 'module',
          dependencies: { 'zoho-token-refresher': `file:${tarball}` },
        }),
      });
      context.progress(`${NAME}: installing the tarball alone into a scratch project`);
      await npmInstall(project);
      const modules = join(project, 'node_modules');
      const diskKb = Number((await runOk('du', ['-sk', modules], project)).stdout.split('\t')[0]);
      const runs = Number(process.env.PACKAGE_BENCH_RUNS ?? DEFAULT_RUNS);
      context.progress(`${NAME}: zoho-tokens --help and node -e 0, ${runs} fresh processes each`);
      const cli = join(modules, 'zoho-token-refresher', 'bin', 'zoho-tokens.js');
      const help: number[] = [];
      const baseline: number[] = [];
      for (let i = 0; i < runs; i++) {
        help.push(timed([cli, '--help'], project));
        baseline.push(timed(['-e', '0'], project));
      }
      const helpMs = median(help);
      const baselineMs = median(baseline);
      context.output(
        `${NAME}: tarball_files=${files.length} tarball_bytes=${(await stat(tarball)).size} consumer_install_bytes=${await bytesUnder(modules)} consumer_install_disk_bytes=${diskKb * 1024} cli_help_ms=${helpMs.toFixed(0)} node_baseline_ms=${baselineMs.toFixed(0)} cli_help_ratio=${(helpMs / baselineMs).toFixed(2)}`,
      );
      const checks = new Checks();
      checks.expect(
        'tarball files that are tests, CI, tool configuration or the dev wing',
        files.filter((path) => NOT_SHIPPED.test(path)).length,
        0,
      );
      const measurement: Measurement = {
        runs,
        medianMs: helpMs,
        minMs: Math.min(...help),
        maxMs: Math.max(...help),
      };
      return [
        row(`${NAME}/cli-help`, 1, measurement, {
          counts: { tarballFiles: files.length },
          checks: checks.list,
        }),
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/** Wall-clock ms of one fresh `node args` in `cwd`. */
function timed(args: readonly string[], cwd: string): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, [...args], { cwd, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The sizes of every file under `dir`, added up (symbolic links not followed). */
async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await bytesUnder(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}
