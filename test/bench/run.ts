/**
 * `npm run bench [-- --only <name>[,<name>]] [--json] [--no-emulator]`: runs each benchmark in turn
 * and prints a table (Markdown, so the README can quote it) with the exact counts each one checks.
 * Numbers are printed, never asserted; the exit code is non-zero only when a correctness check fails
 * (e.g. Zoho calls differ from what single flight promises) or a benchmark throws.
 */
import { cpus, platform } from 'node:os';
import { abuse } from './abuse.bench-case';
import { coldStart } from './cold-start.bench-case';
import { consumerCachedRead } from './consumer-cached-read.bench-case';
import { fleet } from './fleet.bench-case';
import { fuzz } from './fuzz.bench-case';
import { type Bench, type BenchContext, type BenchRow, failedChecks } from './harness';
import { lambdaFootprint } from './lambda-footprint.bench-case';
import { packageBench } from './package.bench-case';
import { refreshInMemory, singleFlightInMemory } from './refresh-in-memory.bench-case';
import { zohoParse } from './zoho-parse.bench-case';

const BENCHES: readonly Bench[] = [
  consumerCachedRead,
  zohoParse,
  refreshInMemory,
  singleFlightInMemory,
  lambdaFootprint,
  abuse,
  fuzz,
  fleet,
  coldStart,
  packageBench,
];

interface Args {
  readonly only: readonly string[] | undefined;
  readonly json: boolean;
  readonly emulator: boolean;
}

const USAGE = `usage: npm run bench -- [--only <name>[,<name>...]] [--json] [--no-emulator]
benchmarks: ${BENCHES.map((bench) => bench.name).join(', ')}`;

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Args {
  const only: string[] = [];
  let json = false;
  let emulator = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--json') json = true;
    else if (arg === '--no-emulator') emulator = false;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (value === undefined || value === '') throw new UsageError('--only needs a benchmark name');
      only.push(...value.split(',').filter((name) => name !== ''));
    } else if (arg === '--help' || arg === '-h') throw new UsageError('');
    else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  const unknown = only.filter((name) => !BENCHES.some((bench) => bench.name === name));
  if (unknown.length > 0) throw new UsageError(`unknown benchmark ${unknown.join(', ')}`);
  return { only: only.length === 0 ? undefined : only, json, emulator };
}

/** ns below a microsecond, µs below a millisecond, ms above; three significant digits. */
function perOp(ms: number): string {
  if (ms < 0.001) return `${(ms * 1e6).toPrecision(3)} ns`;
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  return `${ms.toPrecision(3)} ms`;
}

const integer = (value: number) => Math.round(value).toLocaleString('en');

function table(rows: readonly BenchRow[]): string {
  const header = ['benchmark', 'iterations', 'runs', 'total ms (median)', 'per-op', 'ops/s', 'checks'];
  const lines = rows.map((r) => {
    if (r.skipped !== undefined) return [r.name, '-', '-', '-', '-', '-', 'skipped'];
    const perOpMs = r.totalMs / r.iterations;
    const failed = failedChecks(r).length;
    const spread = r.runs > 1 ? ` (${r.minMs.toFixed(1)}-${r.maxMs.toFixed(1)})` : '';
    return [
      r.name,
      integer(r.iterations),
      String(r.runs),
      `${r.totalMs.toFixed(1)}${spread}`,
      perOp(perOpMs),
      integer(r.iterations / (r.totalMs / 1000)),
      failed === 0 ? `ok (${r.checks.length})` : `FAIL (${failed}/${r.checks.length})`,
    ];
  });
  const widths = header.map((title, c) =>
    Math.max(title.length, ...lines.map((line) => (line[c] ?? '').length)),
  );
  const format = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((width, c) => (c === 0 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [format(header), rule, ...lines.map(format)].join('\n');
}

function details(rows: readonly BenchRow[]): string {
  const out: string[] = [];
  for (const r of rows) {
    if (r.skipped !== undefined) {
      out.push(`- ${r.name}: ${r.skipped}`);
      continue;
    }
    const counts = Object.entries(r.counts).map(([name, value]) => `${name}=${value}`);
    const checks = r.checks.map(
      (check) => `${check.what} ${check.actual === check.expected ? '=' : '≠'} ${check.expected}`,
    );
    out.push(`- ${r.name}: ${counts.join(' ')}`);
    if (checks.length > 0) out.push(`    checks: ${[...new Set(checks)].join('; ')}`);
    for (const check of failedChecks(r)) {
      out.push(`    FAILED: ${check.what}: expected ${check.expected}, got ${check.actual}`);
    }
    if (r.note !== undefined) out.push(`    ${r.note}`);
  }
  return out.join('\n');
}

function environment() {
  return {
    node: process.version,
    platform: `${platform()} ${process.arch}`,
    cpu: `${cpus()[0]?.model ?? 'unknown'} x ${cpus().length}`,
  };
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message === '' ? '' : `${error.message}\n`}${USAGE}\n`);
    return error.message === '' ? 0 : 2;
  }
  const context: BenchContext = {
    emulator: args.emulator,
    progress: (line) => process.stderr.write(`[bench] ${line}\n`),
    output: (line) => (args.json ? process.stderr : process.stdout).write(`${line}\n`),
  };
  const selected = BENCHES.filter((bench) => args.only?.includes(bench.name) ?? true);
  const rows: BenchRow[] = [];
  const errors: Array<{ bench: string; error: string }> = [];
  for (const bench of selected) {
    context.progress(`${bench.name}: ${bench.description}`);
    try {
      rows.push(...(await bench.run(context)));
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      errors.push({ bench: bench.name, error: message });
      context.progress(`${bench.name} FAILED: ${message}`);
    }
  }
  const failed = rows.filter((r) => failedChecks(r).length > 0).map((r) => r.name);
  if (args.json) {
    const withRates = rows.map((r) =>
      r.skipped === undefined
        ? { ...r, perOpUs: (r.totalMs * 1000) / r.iterations, opsPerSec: r.iterations / (r.totalMs / 1000) }
        : r,
    );
    const report = { environment: environment(), rows: withRates, errors, failed };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const env = environment();
    process.stdout.write(
      `\nNode ${env.node}, ${env.platform}, ${env.cpu}\n\n${table(rows)}\n\n${details(rows)}\n`,
    );
    for (const { bench, error } of errors) process.stdout.write(`\n${bench} did not finish: ${error}\n`);
    if (failed.length > 0) process.stdout.write(`\nCorrectness checks failed: ${failed.join(', ')}\n`);
  }
  return failed.length > 0 || errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    // Exit explicitly: an SDK socket or timer left behind must not keep the run alive.
    process.stdout.write('', () => process.exit(code));
  },
  (error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
