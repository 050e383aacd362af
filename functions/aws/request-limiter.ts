/**
 * A per-client request limit on the public connect endpoint: one counter item per source address
 * (hashed) and minute, bumped by one conditional write, gone by TTL an hour later. A Function URL
 * has no per-address throttling of its own (and WAF cannot sit in front of one), and links are
 * guessable by no one, so this only keeps a noisy client from spending the function's concurrency
 * and the table's writes.
 */

import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { TABLE_SCHEMA } from './table';

/** Requests one source address may make per minute. */
export const REQUESTS_PER_MINUTE = 30;

export interface RequestLimiter {
  /** True when the request may go ahead (and counts it). */
  admit(source: string, now: number): Promise<boolean>;
}

export class DynamoDbRequestLimiter implements RequestLimiter {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #limit: number;

  constructor(options: { client: DynamoDBClient; tableName: string; limit?: number }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#limit = options.limit ?? REQUESTS_PER_MINUTE;
  }

  async admit(source: string, now: number): Promise<boolean> {
    const minute = Math.floor(now / 60_000);
    // Hashed: the table keeps no customer's IP address.
    const who = createHash('sha256').update(source).digest('base64url').slice(0, 22);
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: marshall({ pk: `RATE#${who}`, sk: `MINUTE#${minute}` }),
          UpdateExpression: 'ADD hits :one SET #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
          ExpressionAttributeNames: { '#ttl': TABLE_SCHEMA.ttlAttribute },
          ExpressionAttributeValues: marshall({
            ':one': 1,
            ':limit': this.#limit,
            ':ttl': (minute + 60) * 60,
          }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
