/**
 * The fault matrix of issue 9: every fault of the list, injected into the real core (and the real
 * Zoho adapter against the Zoho simulator), with its expected outcome and the invariants checked
 * after the faulted action and after the next run. Prints the table `fault → expected → seen`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTable, type Group, type RowResult, runRow, SEEN_KEYS } from '../fault-matrix/matrix';
import { MATRIX_ROWS } from '../fault-matrix/rows';
import { type SimulatedZoho, startSimulatedZoho } from '../fault-matrix/simulated-zoho';

const GROUPS: readonly Group[] = [
  'Zoho',
  'DynamoDB',
  'Secrets Manager',
  'KMS',
  'EventBridge',
  'crash',
  'lease',
  'reports',
];

let zoho: SimulatedZoho;
const results: RowResult[] = [];

beforeAll(async () => {
  zoho = await startSimulatedZoho();
});

afterAll(async () => {
  await zoho?.stop();
  console.log(
    `\nFault matrix (${results.length} faults): fault → expected → seen\n${formatTable(results)}\n`,
  );
});

describe('the fault matrix', () => {
  it('injects at least 30 faults, in every group the issue names', () => {
    expect(MATRIX_ROWS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(MATRIX_ROWS.map((row) => row.group))).toEqual(new Set(GROUPS));
  });

  it.each(MATRIX_ROWS.map((row) => [`${row.group}: ${row.fault}`, row] as const))('%s', async (_, row) => {
    // Prepare & Act: a world of its own, the fault, the action, the next run without the fault
    const result = await runRow(row, zoho);
    results.push(result);

    // Assess
    if (row.awaiting !== undefined) {
      const passes = result.meetsExpectation && result.violations.length === 0;
      expect(passes, `now as expected: drop the row's awaiting mark ('${row.awaiting}')`).toBe(false);
      return;
    }
    expect(result.violations).toEqual([]);
    const seen = Object.fromEntries(
      SEEN_KEYS.filter((key) => key in row.expected).map((key) => [key, result.seen[key]]),
    );
    expect(seen).toEqual(row.expected);
  });
});
