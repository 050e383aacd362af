/**
 * `consumer-cached-read`: what a consumer Lambda pays for a token once the container is warm. The
 * first getToken() reads the secret (through a mocked Secrets Manager client); every later call is
 * served from memory. "A warm cached read costs microseconds": this measures it.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createTokenReader, type TokenReader } from '../../functions/consumer/token-reader';
import { type Bench, Checks, measure, row } from './harness';

const CALLS = 100_000;
const CONNECTION_ID = 'bench-books';

/** The contract's secret value; the token carries the `test-at-` marker of the leak scan. */
function secretString(expiresAt: number): string {
  return JSON.stringify({
    access_token: '1000.test-at-bench',
    api_domain: 'https://www.zohoapis.com',
    token_type: 'Bearer',
    expires_at: new Date(expiresAt).toISOString(),
    version: 7,
    connection_id: CONNECTION_ID,
  });
}

interface ReaderState {
  readonly reader: TokenReader;
  readonly getSecretValueCalls: () => number;
  readonly restore: () => void;
}

async function warmReader(): Promise<ReaderState> {
  // Fake credentials and region: the mock answers, nothing may leave the process.
  const client = new SecretsManagerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const mock = mockClient(client);
  mock.on(GetSecretValueCommand).resolves({ SecretString: secretString(Date.now() + 3_600_000) });
  const reader = createTokenReader({ connectionId: CONNECTION_ID, client });
  await reader.getToken(); // the one cold read, untimed
  return {
    reader,
    getSecretValueCalls: () => mock.commandCalls(GetSecretValueCommand).length,
    restore: () => mock.restore(),
  };
}

export const consumerCachedRead: Bench = {
  name: 'consumer-cached-read',
  description: `${CALLS.toLocaleString('en')} warm getToken() calls after one secret read`,
  async run() {
    const calls: number[] = [];
    let versionsSeen = 0;
    const measurement = await measure({
      runs: 11,
      warmupRuns: 1,
      setup: warmReader,
      async run({ reader }) {
        let version = 0;
        for (let i = 0; i < CALLS; i++) version = (await reader.getToken()).version;
        versionsSeen = version;
      },
      after(state) {
        calls.push(state.getSecretValueCalls());
        state.restore();
      },
    });
    const checks = new Checks();
    checks.expectEach('GetSecretValue calls per reader', calls, 1);
    checks.expect('token version served', versionsSeen, 7);
    return [
      row('consumer-cached-read', CALLS, measurement, {
        counts: { GetSecretValue: calls.at(-1) ?? 0 },
        checks: checks.list,
        note: 'per-op = one awaited getToken() served from memory (Secrets Manager client mocked)',
      }),
    ];
  },
};
