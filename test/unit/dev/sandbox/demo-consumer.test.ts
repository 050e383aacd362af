import 'aws-sdk-client-mock-vitest/extend';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import type { AwsSide } from '../../../../dev/sandbox/aws-side';
import { createDemoConsumer } from '../../../../dev/sandbox/consumer';
import { describeEvent, EventLog } from '../../../../dev/sandbox/events';
import type { FetchFunction } from '../../../../functions/consumer/zoho-fetch';
import {
  BUS,
  CONNECTION_ID,
  json,
  NOT_AUTHORIZED,
  recordingFetch,
  useConsumerWorld,
  zohoAccepting,
} from '../../consumer/fixtures';

const world = useConsumerWorld();

/** The demo consumer of the sandbox, on the mocked Secrets Manager and EventBridge of `world`. */
function demoConsumer(fetch: FetchFunction) {
  const log = new EventLog(() => world.clock.now());
  const aws = {
    resources: { secretPrefix: 'zoho-token-refresher', eventBusName: BUS },
    clients: {
      secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
      eventBridge: new EventBridgeClient({ region: 'eu-west-1' }),
    },
  } as unknown as AwsSide;
  const consumer = createDemoConsumer({
    connectionId: CONNECTION_ID,
    aws,
    log,
    clock: world.clock,
    waitForRefreshMs: 5_000,
    fetch,
  });
  const described = () => log.events.map((event) => describeEvent(event));
  return { consumer, log, described };
}

describe('the demo consumer says whether the library reported a 401', () => {
  it('says "reported" when the library published the event, and the retry succeeded', async () => {
    // Prepare: Zoho accepts only v2; the report makes the refresher store v2
    const { fetch } = recordingFetch(zohoAccepting(2));
    const { consumer, described } = demoConsumer(fetch);

    // Act
    await consumer.call();

    // Assess
    expect(world.eb).toReceiveCommandTimes(PutEventsCommand, 1);
    expect(described()).toEqual([
      `${CONNECTION_ID}  consumer: Books answered 401 to v1; reported "Zoho Token Rejected"`,
      `${CONNECTION_ID}  consumer: Books answered 200 with v2 after the refresh`,
    ]);
  });

  it('says "not reported (fail-fast …)" while the library fails fast after a wait that timed out', async () => {
    // Prepare: Zoho refuses every token and no refresh ever lands
    world.refreshOnReport = false;
    const { fetch } = recordingFetch(() => json(401, NOT_AUTHORIZED));
    const { consumer, log } = demoConsumer(fetch);

    // Act: the first call reports and waits in vain; the second falls in the fail-fast window
    await consumer.call();
    await consumer.call();

    // Assess: one event published, and only the first 401 says it was reported
    expect(world.eb).toReceiveCommandTimes(PutEventsCommand, 1);
    const rejections = log.events.filter((event) => event.kind === 'consumer-401');
    expect(rejections.map((r) => [r.version, r.reported])).toEqual([
      [1, true],
      [1, false],
    ]);
    const second = describeEvent(rejections[1] ?? expect.fail('no second 401'));
    expect(second).toMatch(
      /^acme-books {2}consumer: Books answered 401 to v1; not reported \(fail-fast until \d\d:\d\d:\d\d: the last wait for a token newer than v1 timed out\)$/,
    );
    expect(log.events.map((event) => event.kind)).toEqual([
      'consumer-401',
      'consumer-error',
      'consumer-401',
      'consumer-error',
    ]);
  });

  it('says "not reported" when publishing the event failed', async () => {
    // Prepare: EventBridge refuses the entry
    world.eb
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const { fetch } = recordingFetch(zohoAccepting(2));
    const { consumer, log } = demoConsumer(fetch);

    // Act
    await consumer.call();

    // Assess
    expect(log.events[0]).toMatchObject({
      kind: 'consumer-401',
      version: 1,
      reported: false,
      notReported: 'publishing the event failed',
    });
  });
});
