/**
 * moto (5.2.5) checks a DynamoDB ConditionExpression and applies the update in two steps, with no
 * lock between them, on a threaded server: two concurrent conditional writes of one item can both
 * pass their condition (seen in 1 of 14 rounds of 200 racing UpdateItem calls). DynamoDB itself
 * applies each write to an item atomically, and the refresh lease relies on exactly that. Against an
 * emulator, the dev CLI (hooks.ts), the sandbox and the integration tests therefore send the
 * writes of each DynamoDB client one at a time; reads still run concurrently, so every race the
 * lease must win still happens. Never used against AWS.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

/** The middleware's name on the client's stack (tests look for it). */
export const MOTO_WRITE_GUARD_NAME = 'zohoTokensSerialiseWritesForMoto';

/** Makes `client` send its write commands one after another. Idempotent per client. */
export function serialiseWritesForMoto(client: DynamoDBClient): DynamoDBClient {
  let tail: Promise<unknown> = Promise.resolve();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!WRITE_COMMANDS.has(context.commandName ?? '')) return next(args);
      const run = tail.then(() => next(args));
      tail = run.catch(() => undefined);
      return run;
    },
    // The first step, outside SDK retries: a retried write keeps its turn.
    { step: 'initialize', name: MOTO_WRITE_GUARD_NAME, override: true },
  );
  return client;
}
