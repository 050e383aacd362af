import { describe, it } from 'vitest';
import { zohoParseProperties } from '../../properties/zoho-parse.properties';

/**
 * A quick pass in `npm test`; `FUZZ_RUNS=10000 npx vitest run test/unit/zoho/token-response-fuzz.test.ts`
 * (or the bench) for a thorough one.
 */
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 200);

describe(`Zoho answer parsers under random input (${FUZZ_RUNS} runs per property)`, () => {
  it.each(zohoParseProperties(FUZZ_RUNS).map((property) => [property.name, property] as const))(
    '%s',
    (_, property) => {
      // Prepare, Act & Assess: fast-check generates the inputs, runs the parser and judges each outcome
      property.run();
    },
  );
});
