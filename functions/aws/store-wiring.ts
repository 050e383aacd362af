/**
 * The connection store as every composition root builds it. Apart from runtime.ts so that a root
 * needing only the store (the planner's) bundles only the DynamoDB client.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ConnectionStore, Log } from '../core/ports';
import type { RefresherConfig } from './config';
import { DynamoDbConnectionStore } from './connection-store';

/**
 * The store on `client` and the configuration's table. With `log`, an unreadable connection item is
 * logged and skipped by the listings instead of failing a whole planner run or sweep.
 */
export function createConnectionStore(
  config: Pick<RefresherConfig, 'tableName'>,
  client: DynamoDBClient,
  log?: Log,
): ConnectionStore {
  return new DynamoDbConnectionStore({
    client,
    tableName: config.tableName,
    ...(log === undefined
      ? {}
      : {
          onCorruptItem: (error) =>
            log.error('Skipping an unreadable table item', { code: error.code, error: error.message }),
        }),
  });
}
