/**
 * Consumer "containers" for the consumer integration tests: what one Lambda execution environment
 * holds (its own SDK clients pointed at moto, its own Zoho client and token cache), plus a record of
 * every AWS command it sent and of every token it sent to Zoho. The world around them (moto, the
 * simulator, the refresher, the bus → queue → on-demand path) is the engine world's.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll } from 'vitest';
import {
  createZohoClient,
  type WaitForRefreshOptions,
  type ZohoClient,
} from '../../../functions/consumer/zoho-fetch';
import { type Clock, systemClock } from '../../../functions/core/ports';
import type { EngineWorld } from '../engine/world';

/** Every command one SDK client sent, and what its answers said (never token material). */
export class CommandLog {
  /** Command names in the order they were sent (`GetSecretValueCommand`, `PutEventsCommand`…). */
  readonly sent: string[] = [];
  /** The `version` of every access-token secret value a GetSecretValue returned, in order. */
  readonly versionsRead: number[] = [];
  /** The `detail` of every entry a PutEvents carried, parsed. */
  readonly eventDetails: Record<string, unknown>[] = [];
  /** The `Source` of every entry a PutEvents carried. */
  readonly eventSources: string[] = [];

  count(commandName: string): number {
    return this.sent.filter((name) => name === commandName).length;
  }
}

/** Counts at the SDK's first step, so every `send` is seen once, whatever the emulator answers. */
export function recordSecretsCommands(client: SecretsManagerClient, log: CommandLog): SecretsManagerClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      log.sent.push(context.commandName ?? 'unknown');
      const result = await next(args);
      const secretString = (result.output as { SecretString?: unknown }).SecretString;
      if (context.commandName === 'GetSecretValueCommand' && typeof secretString === 'string') {
        log.versionsRead.push((JSON.parse(secretString) as { version: number }).version);
      }
      return result;
    },
    { step: 'initialize', name: 'recordSecretsCommands' },
  );
  return client;
}

export function recordEventCommands(client: EventBridgeClient, log: CommandLog): EventBridgeClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      log.sent.push(context.commandName ?? 'unknown');
      const entries = (args.input as { Entries?: Array<{ Source?: string; Detail?: string }> }).Entries ?? [];
      for (const entry of entries) {
        log.eventDetails.push(JSON.parse(entry.Detail ?? '{}'));
        log.eventSources.push(entry.Source ?? '');
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordEventCommands' },
  );
  return client;
}

/**
 * The consumer's clock: the world's test clock (which the simulator's expiries follow) plus the
 * real time since the container started, so the consumer's wait for a refresh ends after a real
 * `timeoutMs` instead of polling forever on a clock nobody moves.
 */
export function consumerClock(w: EngineWorld): Clock {
  const started = performance.now();
  return { now: () => w.clock.now() + Math.floor(performance.now() - started), sleep: systemClock.sleep };
}

export interface ConsumerContainer {
  readonly zoho: ZohoClient;
  readonly secrets: CommandLog;
  readonly events: CommandLog;
  /** The token of every request the container sent to Zoho, in order: compare them, never print them. */
  readonly sentTokens: string[];
}

/** Bounded wait for the refresh: a lost event fails the test in seconds, not at the suite timeout. */
export const CONSUMER_WAIT = { timeoutMs: 10_000, initialDelayMs: 25, maxDelayMs: 200 } as const;

/**
 * Registers the teardown of every container the file starts; returns the factory. `wait` replaces
 * parts of CONSUMER_WAIT (a test that expects the wait to time out keeps it short).
 */
export function useConsumerContainers(
  world: () => EngineWorld,
): (connectionId: string, wait?: WaitForRefreshOptions) => ConsumerContainer {
  const clients: Array<{ destroy(): void }> = [];
  afterAll(() => {
    for (const client of clients) client.destroy();
  });
  return (connectionId, wait) => {
    const w = world();
    const secrets = new CommandLog();
    const events = new CommandLog();
    const secretsClient = recordSecretsCommands(new SecretsManagerClient(w.emulator.clientConfig), secrets);
    const eventBridgeClient = recordEventCommands(new EventBridgeClient(w.emulator.clientConfig), events);
    clients.push(secretsClient, eventBridgeClient);
    const sentTokens: string[] = [];
    const zoho = createZohoClient({
      connectionId,
      eventBusName: w.resources.eventBusName,
      secretPrefix: w.config.secretPrefix,
      secretsClient,
      eventBridgeClient,
      // The platform fetch to the simulator; the wrapper only notes which token went out.
      fetch: (input, init) => {
        const authorization = new Headers(init.headers).get('authorization') ?? '';
        sentTokens.push(authorization.replace(/^Zoho-oauthtoken /, ''));
        return globalThis.fetch(input, init);
      },
      clock: consumerClock(w),
      waitForRefresh: { ...CONSUMER_WAIT, ...wait },
    });
    return { zoho, secrets, events, sentTokens };
  };
}

/** `zoho-tokens add`, then one scheduled sweep: version 1 is in the secret. Returns the refresh token. */
export async function connectAtVersion1(w: EngineWorld, connectionId: string): Promise<string> {
  const { refreshToken } = await w.addConnection(connectionId, 'us');
  const sweep = await w.sweep();
  if (sweep.refreshed !== 1 || (await w.readSecret(connectionId))?.value.version !== 1) {
    throw new Error(`the sweep did not store version 1 of ${connectionId}`);
  }
  return refreshToken;
}

/** The access token the secret holds now, checked to be of `version`. */
export async function storedAccessToken(w: EngineWorld, connectionId: string, version: number) {
  const secret = await w.readSecret(connectionId);
  if (secret?.value.version !== version || typeof secret.value.access_token !== 'string') {
    throw new Error(`the secret of ${connectionId} does not hold version ${version}`);
  }
  return secret.value.access_token;
}

/** Names each sent token by its version (`{ [token]: 'v1' }`), so a failed assertion never prints a token. */
export function versionsOf(sentTokens: readonly string[], known: Readonly<Record<string, string>>): string[] {
  return sentTokens.map((token) => known[token] ?? 'unknown token');
}

/** How many times each name occurs. */
export function tally(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}
