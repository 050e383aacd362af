/**
 * `zoho-parse`: parseTokenResponse on each documented kind of token-endpoint answer (ZOHO.md §1-§2).
 * Error answers throw a typed error, so their cost includes building it (with its stack).
 */
import {
  ZohoMalformedResponseError,
  ZohoThrottledError,
  ZohoTransientError,
} from '../../functions/core/errors';
import type { TokenGrant } from '../../functions/core/token';
import { parseTokenResponse } from '../../functions/zoho/token-response';
import { type Bench, type BenchRow, Checks, measure, row } from './harness';

interface ParseCase {
  readonly name: string;
  readonly status: number;
  readonly body: string;
  readonly iterations: number;
  /** Whether one parse came out as ZOHO.md says it must. */
  readonly isRight: (outcome: { grant?: TokenGrant; error?: unknown }) => boolean;
}

const CASES: readonly ParseCase[] = [
  {
    name: 'success',
    status: 200,
    body: JSON.stringify({
      access_token: '1000.test-at-bench.parse',
      expires_in: 3600,
      api_domain: 'https://www.zohoapis.com',
      token_type: 'Bearer',
    }),
    iterations: 100_000,
    isRight: ({ grant }) => grant?.expiresInSeconds === 3600,
  },
  {
    name: 'ms-quirk',
    status: 200,
    body: JSON.stringify({
      access_token: '1000.test-at-bench.quirk',
      expires_in_sec: 3600,
      expires_in: 3_600_000,
      api_domain: 'https://www.zohoapis.eu',
      token_type: 'Bearer',
    }),
    iterations: 100_000,
    isRight: ({ grant }) => grant?.expiresInSeconds === 3600,
  },
  {
    name: 'throttle-localised',
    status: 400,
    body: JSON.stringify({
      error: '拒绝访问',
      error_description: '您已连续提出过多请求，请稍后再试。',
      status: 'failure',
    }),
    iterations: 50_000,
    isRight: ({ error }) => error instanceof ZohoThrottledError,
  },
  {
    name: 'html',
    status: 502,
    body: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>',
    iterations: 50_000,
    isRight: ({ error }) =>
      error instanceof ZohoTransientError && !(error instanceof ZohoMalformedResponseError),
  },
];

function parseOnce(parseCase: ParseCase): { grant?: TokenGrant; error?: unknown } {
  try {
    return { grant: parseTokenResponse(parseCase.status, parseCase.body) };
  } catch (error) {
    return { error };
  }
}

async function benchCase(parseCase: ParseCase): Promise<BenchRow> {
  const rightPerRun: number[] = [];
  let right = 0;
  const measurement = await measure({
    runs: 5,
    warmupRuns: 1,
    setup: () => {
      right = 0;
    },
    run: () => {
      for (let i = 0; i < parseCase.iterations; i++) {
        if (parseCase.isRight(parseOnce(parseCase))) right++;
      }
    },
    after: () => {
      rightPerRun.push(right);
    },
  });
  const checks = new Checks();
  checks.expectEach('parses classified as ZOHO.md says', rightPerRun, parseCase.iterations);
  return row(`zoho-parse/${parseCase.name}`, parseCase.iterations, measurement, {
    counts: { classifiedRight: rightPerRun.at(-1) ?? 0 },
    checks: checks.list,
  });
}

export const zohoParse: Bench = {
  name: 'zoho-parse',
  description: 'parseTokenResponse per documented body (success, ms quirk, localised throttle, HTML)',
  async run() {
    const rows: BenchRow[] = [];
    for (const parseCase of CASES) rows.push(await benchCase(parseCase));
    return rows;
  },
};
