/**
 * The shape every property of this folder exports: a name and a run of `numRuns` cases, so that
 * `npm test` runs a quick number (FUZZ_RUNS) and the `fuzz` bench at least 10,000.
 */
export interface ProofProperty {
  readonly name: string;
  readonly numRuns: number;
  /** Throws fast-check's report (the shrunk counterexample) when a case breaks the property. */
  run(): void | Promise<void>;
}

/** Checks `numRuns` once for every property factory. */
export function assertRuns(numRuns: number): void {
  if (!Number.isSafeInteger(numRuns) || numRuns < 1) {
    throw new Error(`numRuns must be a positive integer (got ${numRuns})`);
  }
}

/** Runs in `npm test`: FUZZ_RUNS when set, else `fallback` (small enough for a few seconds). */
export function quickRuns(fallback: number): number {
  const set = process.env.FUZZ_RUNS;
  return set === undefined || set === '' ? fallback : Number(set);
}
