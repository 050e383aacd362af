/**
 * `fuzz`: every property of test/properties with at least 10,000 runs each (FUZZ_RUNS raises it),
 * one row per property: name, runs, time, and whether fast-check found a counterexample. The Zoho
 * parser's properties (test/properties/zoho-parse.properties.ts) join when that file is present.
 */
import { existsSync } from 'node:fs';
import { interleavingProperties } from '../properties/interleavings.properties';
import type { ProofProperty } from '../properties/property';
import { reportPayloadProperties } from '../properties/report-payload.properties';
import { type Bench, type BenchRow, row, skippedRow, summarise } from './harness';

const MIN_RUNS = 10_000;
const ZOHO_PARSE = new URL('../properties/zoho-parse.properties.ts', import.meta.url);

/** The Zoho parser's properties, when their file is on this branch (it exports `zohoParseProperties`). */
async function zohoParseProperties(numRuns: number): Promise<readonly ProofProperty[] | undefined> {
  if (!existsSync(ZOHO_PARSE)) return undefined;
  const module = (await import(ZOHO_PARSE.href)) as { zohoParseProperties?: unknown };
  if (typeof module.zohoParseProperties !== 'function') {
    throw new Error('test/properties/zoho-parse.properties.ts exports no zohoParseProperties(numRuns)');
  }
  return (module.zohoParseProperties as (runs: number) => readonly ProofProperty[])(numRuns);
}

/** Runs one property once with its runs; a counterexample fails the row's check, never the bench. */
async function fuzzRow(property: ProofProperty): Promise<BenchRow> {
  const started = process.hrtime.bigint();
  let failure: string | undefined;
  try {
    await property.run();
  } catch (error) {
    // fast-check's report: the seed, the shrunk counterexample and the broken rule.
    failure = error instanceof Error ? error.message.split('\n').slice(0, 6).join(' ') : String(error);
  }
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  return row(property.name, property.numRuns, summarise([elapsedMs]), {
    counts: { runs: property.numRuns, counterexamples: failure === undefined ? 0 : 1 },
    checks: [{ what: 'counterexamples', expected: 0, actual: failure === undefined ? 0 : 1 }],
    note: failure === undefined ? 'result: passed' : `result: FAILED ${failure.slice(0, 600)}`,
  });
}

export const fuzz: Bench = {
  name: 'fuzz',
  description: `every property (handler payloads, interleavings, Zoho parsers) with at least ${MIN_RUNS.toLocaleString('en')} runs`,
  async run(context) {
    const runs = Math.max(MIN_RUNS, Number(process.env.FUZZ_RUNS ?? 0) || 0);
    const zoho = await zohoParseProperties(runs);
    const properties = [...reportPayloadProperties(runs), ...interleavingProperties(runs), ...(zoho ?? [])];
    const rows: BenchRow[] = [];
    for (const property of properties) {
      context.progress(`fuzz: ${property.name} (${runs.toLocaleString('en')} runs)`);
      rows.push(await fuzzRow(property));
    }
    if (zoho === undefined) {
      rows.push(
        skippedRow('zoho-parse properties', 'test/properties/zoho-parse.properties.ts is not on this branch'),
      );
    }
    return rows;
  },
};
