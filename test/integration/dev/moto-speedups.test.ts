/**
 * dev/emulator/moto_speedups.py keeps moto's behaviour: a TransactWriteItems that fails still leaves
 * every item as it was (the speed-up saves and restores the items it names instead of copying the
 * tables), and one that succeeds applies all of its writes.
 */
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from '../../support/emulator';

const { clientConfig } = useEmulator();
const dynamodb = new DynamoDBClient(clientConfig);
const TableName = 'speedups';
const key = (id: string) => ({ pk: { S: id }, sk: { S: 'item' } });
const read = async (id: string) =>
  (await dynamodb.send(new GetItemCommand({ TableName, Key: key(id) }))).Item;

beforeAll(async () => {
  await dynamodb.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  await dynamodb.send(new PutItemCommand({ TableName, Item: { ...key('a'), n: { N: '1' } } }));
  await dynamodb.send(new PutItemCommand({ TableName, Item: { ...key('b'), n: { N: '1' } } }));
});

const bump = (id: string, condition?: string) => ({
  Update: {
    TableName,
    Key: key(id),
    UpdateExpression: 'SET n = n + :one',
    ...(condition === undefined ? {} : { ConditionExpression: condition }),
    ExpressionAttributeValues: {
      ':one': { N: '1' },
      ...(condition === undefined ? {} : { ':never': { N: '99' } }),
    },
  },
});

describe('moto with the speed-ups', () => {
  it('undoes every write of a transaction that fails: an update before the failed condition, a put after it', async () => {
    // Act
    const error = await dynamodb
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            bump('a'),
            bump('b', 'n = :never'),
            { Put: { TableName, Item: { ...key('c'), n: { N: '1' } } } },
          ],
        }),
      )
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(await read('a')).toEqual({ ...key('a'), n: { N: '1' } });
    expect(await read('b')).toEqual({ ...key('b'), n: { N: '1' } });
    expect(await read('c')).toBeUndefined();
  });

  it('applies every write of a transaction that succeeds', async () => {
    // Act
    await dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [bump('a'), { Put: { TableName, Item: { ...key('c'), n: { N: '7' } } } }],
      }),
    );

    // Assess
    expect(await read('a')).toEqual({ ...key('a'), n: { N: '2' } });
    expect(await read('c')).toEqual({ ...key('c'), n: { N: '7' } });
  });
});
