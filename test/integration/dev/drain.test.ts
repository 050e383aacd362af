import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { quietLog } from '../../../cli/quiet-log';
import { drainRejectedEvents } from '../../../dev/emulator/drain';
import { createInProcessRefresher } from '../../../dev/emulator/in-process';
import { consumerEventSource, TOKEN_REJECTED_DETAIL_TYPE } from '../../../functions/aws/names';
import { ConfigurationError } from '../../../functions/core/errors';
import { createTokenRejectedHandler } from '../../../functions/on-demand-refresh/token-rejected-handler';
import { useCliWorld } from '../cli/cli-world';

const world = useCliWorld();

async function reportRejected(
  details: readonly ({ readonly connectionId: string } & Record<string, unknown>)[],
) {
  const output = await world.clients.eventBridge.send(
    new PutEventsCommand({
      Entries: details.map((detail) => ({
        Source: consumerEventSource(detail.connectionId),
        DetailType: TOKEN_REJECTED_DETAIL_TYPE,
        Detail: JSON.stringify(detail),
        EventBusName: world.target.names.eventBusName,
      })),
    }),
  );
  expect(output.FailedEntryCount ?? 0).toBe(0);
}

async function queuedMessages(): Promise<number> {
  const { Attributes } = await world.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: world.resources.rejectedQueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

function handler() {
  const deps = createInProcessRefresher(world.target, world.clients, {
    allowedAccountsServers: [world.accountsServer('us')],
    log: quietLog,
  });
  return createTokenRejectedHandler(deps);
}

describe('drainRejectedEvents', () => {
  it('hands every queued event to the on-demand handler once and deletes it', async () => {
    // Prepare
    await world.putClient();
    const refreshToken = await world.seedConnection('drain-a');
    await reportRejected([
      { connectionId: 'drain-a', version: 0, status: 401 },
      { connectionId: 'drain-a', version: 0, status: 401, code: 57 },
      { connectionId: 'drain-a', version: 0, status: 401 },
      { connectionId: 'drain-a', version: -1, status: 401 },
      { connectionId: 'drain-unknown', version: 0, status: 401 },
    ]);

    // Act
    const first = await drainRejectedEvents({
      target: world.target,
      clients: world.clients,
      handler: handler(),
    });
    const second = await drainRejectedEvents({
      target: world.target,
      clients: world.clients,
      handler: handler(),
    });

    // Assess: three reports of one version made one Zoho call.
    expect(first).toEqual({ delivered: 5, refreshed: 1, skipped: 2, rejected: 2, failed: 0 });
    expect(second).toEqual({ delivered: 0, refreshed: 0, skipped: 0, rejected: 0, failed: 0 });
    expect(world.sim.calls.tokenCallsFor(refreshToken)).toBe(1);
    expect((await world.store.get('drain-a'))?.version).toBe(1);
    expect(await queuedMessages()).toBe(0);
  });

  it('counts a handler that throws as failed, reports the error and still deletes the event', async () => {
    // Prepare
    await reportRejected([{ connectionId: 'drain-a', version: 1, status: 401 }]);
    const errors: unknown[] = [];

    // Act
    const counts = await drainRejectedEvents({
      target: world.target,
      clients: world.clients,
      handler: async () => {
        throw new Error('AWS is down');
      },
      onError: (error) => errors.push(error),
    });

    // Assess
    expect(counts).toEqual({ delivered: 1, refreshed: 0, skipped: 0, rejected: 0, failed: 1 });
    expect(errors).toHaveLength(1);
    expect(await queuedMessages()).toBe(0);
  });

  it('stops after maxMessages', async () => {
    // Prepare
    await reportRejected([1, 2, 3].map((version) => ({ connectionId: 'drain-a', version, status: 401 })));

    // Act
    const counts = await drainRejectedEvents({
      target: world.target,
      clients: world.clients,
      handler: handler(),
      maxMessages: 2,
    });
    const rest = await drainRejectedEvents({
      target: world.target,
      clients: world.clients,
      handler: handler(),
    });

    // Assess
    expect(counts.delivered).toBe(2);
    expect(rest.delivered).toBe(1);
  });

  it('refuses a deployed stack: there the bus invokes the function itself', async () => {
    // Act
    const error = await drainRejectedEvents({
      target: { ...world.target, local: false },
      clients: world.clients,
      handler: handler(),
    }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
  });

  it('says to run init when the queue does not exist', async () => {
    // Prepare
    await world.clients.sqs.send(new DeleteQueueCommand({ QueueUrl: world.resources.rejectedQueueUrl }));

    // Act
    const error = await drainRejectedEvents({
      target: world.target,
      clients: world.clients,
      handler: handler(),
    }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain("run 'npm run local -- init' first");
  });
});
