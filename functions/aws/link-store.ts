/**
 * Link states in the refresher's table, beside the connections: `LINK#<hash of the state>` / `LINK`,
 * with the table's TTL attribute, so a link item disappears on its own a day after it expired
 * (until then a used or expired link is recognised as such). Connection listings read only
 * `CONNECTION` items and the sparse indexes never see these, so they cost the refresh nothing.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ConnectLink, ConsumedLink, LinkStore } from '../core/connect-link';
import { fromLinkItem, LINK_SORT_KEY, linkKey, toLinkItem } from './link-item';

export interface DynamoDbLinkStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/** The LinkStore port on DynamoDB: one conditional write consumes a link. */
export class DynamoDbLinkStore implements LinkStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: DynamoDbLinkStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async put(link: ConnectLink): Promise<void> {
    await this.#client.send(
      new PutItemCommand({
        TableName: this.#tableName,
        Item: toLinkItem(link),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(stateHash: string): Promise<ConnectLink | undefined> {
    const answer = await this.#client.send(
      new GetItemCommand({
        TableName: this.#tableName,
        Key: marshall(linkKey(stateHash)),
        ConsistentRead: true,
      }),
    );
    return answer.Item === undefined ? undefined : fromLinkItem(unmarshall(answer.Item));
  }

  async consume(stateHash: string, now: number): Promise<ConsumedLink> {
    try {
      const answer = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: marshall(linkKey(stateHash)),
          UpdateExpression: 'SET usedAt = :now',
          ConditionExpression: 'sk = :sk AND attribute_not_exists(usedAt) AND expiresAt > :now',
          ExpressionAttributeValues: marshall({ ':now': now, ':sk': LINK_SORT_KEY }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { kind: 'consumed', link: fromLinkItem(unmarshall(answer.Attributes ?? {})) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // Why it failed decides the page; the read cannot un-consume anything.
    const link = await this.get(stateHash);
    if (link === undefined) return { kind: 'unknown' };
    return { kind: link.usedAt === undefined ? 'expired' : 'used' };
  }

  /** Removes a link (the sandbox's, when it leaves an emulator it did not start). */
  async delete(stateHash: string): Promise<void> {
    await this.#client.send(
      new DeleteItemCommand({ TableName: this.#tableName, Key: marshall(linkKey(stateHash)) }),
    );
  }
}
