/**
 * moto's conditional writes are not atomic under concurrency, so the CLI's own DynamoDB client sends
 * its writes one at a time against an emulator (dev/emulator/moto-write-guard.ts): `drain`
 * delivers up to 10 events at once, and exactly one of their leases may win.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { createTargetClients } from '../../../cli/aws-target';
import { DEV_EMULATOR_HOOKS } from '../../../dev/emulator/hooks';
import { MOTO_WRITE_GUARD_NAME, serialiseWritesForMoto } from '../../../dev/emulator/moto-write-guard';
import { consumerEventSource, TOKEN_REJECTED_DETAIL_TYPE } from '../../../functions/aws/names';
import { runDevCli } from '../cli/cli-run';
import { useCliWorld } from '../cli/cli-world';

const world = useCliWorld();
const REPORTS = 30;

const guarded = (client: DynamoDBClient) =>
  client.middlewareStack.identify().some((entry) => entry.startsWith(`${MOTO_WRITE_GUARD_NAME} `));

/** A client that never leaves the process: a stub answers every command and records how many overlap. */
function stubbedClient() {
  const client = serialiseWritesForMoto(
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const seen = { inFlight: 0, maxInFlight: 0, failNext: false };
  client.middlewareStack.add(
    () => async () => {
      seen.inFlight++;
      seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
      // Yield a few turns so that overlapping calls, if let through, overlap here.
      for (let turn = 0; turn < 5; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
      seen.inFlight--;
      if (seen.failNext) {
        seen.failNext = false;
        throw new Error('ConditionalCheckFailed');
      }
      return { output: { $metadata: {} }, response: {} };
    },
    // After the guard in the same step, so the stub stands for everything the SDK would do next.
    { step: 'initialize', priority: 'low', name: 'stubDynamoDb' },
  );
  return { client, seen };
}

const put = (n: number) => new PutItemCommand({ TableName: 't', Item: { pk: { S: `k${n}` } } });
const get = (n: number) => new GetItemCommand({ TableName: 't', Key: { pk: { S: `k${n}` } } });

describe("the dev CLI's DynamoDB client against an emulator", () => {
  it("is guarded by the workshop's hooks, and not by the operator CLI alone", () => {
    // Act
    const local = DEV_EMULATOR_HOOKS.adaptClients(createTargetClients(world.target));
    const plain = createTargetClients(world.target);

    // Assess
    expect(guarded(local.dynamodb)).toBe(true);
    expect(guarded(plain.dynamodb)).toBe(false);
    for (const client of [...Object.values(local), ...Object.values(plain)]) client.destroy();
  });

  it('sends writes one at a time, reads all at once, and a failed write does not stop the next', async () => {
    // Prepare
    const writes = stubbedClient();
    const reads = stubbedClient();
    const failing = stubbedClient();
    failing.seen.failNext = true;

    // Act
    await Promise.all([1, 2, 3, 4, 5].map((n) => writes.client.send(put(n))));
    await Promise.all([1, 2, 3, 4, 5].map((n) => reads.client.send(get(n))));
    const outcomes = await Promise.allSettled([failing.client.send(put(1)), failing.client.send(put(2))]);

    // Assess
    expect(writes.seen.maxInFlight).toBe(1);
    expect(reads.seen.maxInFlight).toBe(5);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled']);
  });
});

describe('npm run local -- drain', () => {
  it(`turns ${REPORTS} reports of one version into exactly one Zoho call`, async () => {
    // Prepare
    await world.putClient();
    const refreshToken = await world.seedConnection('guard-a');
    for (let batch = 0; batch < REPORTS / 10; batch++) {
      const output = await world.clients.eventBridge.send(
        new PutEventsCommand({
          Entries: Array.from({ length: 10 }, () => ({
            Source: consumerEventSource('guard-a'),
            DetailType: TOKEN_REJECTED_DETAIL_TYPE,
            Detail: JSON.stringify({ connectionId: 'guard-a', version: 0, status: 401 }),
            EventBusName: world.target.names.eventBusName,
          })),
        }),
      );
      expect(output.FailedEntryCount ?? 0).toBe(0);
    }

    // Act
    const result = await runDevCli(world.localCustom('drain', '--json'));

    // Assess
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({
      delivered: REPORTS,
      refreshed: 1,
      skipped: REPORTS - 1,
      rejected: 0,
      failed: 0,
    });
    expect(world.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    expect(await world.store.get('guard-a')).toMatchObject({ status: 'active', version: 1 });
    const history = await world.store.listHistory('guard-a', 10);
    expect(history.map((entry) => entry.outcome)).toEqual(['refreshed']);
  });
});
