import { describe, it } from 'vitest';
import { interleavingProperties } from '../properties/interleavings.properties';
import { quickRuns } from '../properties/property';
import { reportPayloadProperties } from '../properties/report-payload.properties';

/**
 * A quick pass in `npm test`; `FUZZ_RUNS=10000 npx vitest run test/unit/proof-properties.test.ts` (or
 * `npm run bench -- --only fuzz`) for a thorough one.
 */
const PROPERTIES = [...reportPayloadProperties(quickRuns(500)), ...interleavingProperties(quickRuns(300))];

describe('properties of the refresher under random input and interleavings', () => {
  it.each(PROPERTIES.map((property) => [`${property.name} (${property.numRuns} runs)`, property] as const))(
    '%s',
    async (_, property) => {
      // Prepare, Act & Assess: fast-check generates the cases, runs them and judges each one
      await property.run();
    },
    // FUZZ_RUNS=10000 takes a while; the quick default stays within seconds.
    600_000,
  );
});
