import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readRefresherConfig } from '../../../functions/aws/config';
import { createAwsPorts } from '../../../functions/aws/runtime';
import type { Log } from '../../../functions/core/ports';

const config = readRefresherConfig({
  TABLE_NAME: 'table-under-test',
  SECRET_PREFIX: 'prefix-under-test',
  REFRESH_TOKEN_KEY_ID: 'alias/key-under-test',
  EVENT_BUS_NAME: 'bus-under-test',
});

describe('createAwsPorts', () => {
  const clients = {
    dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
    secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
    kms: new KMSClient({ region: 'us-east-1' }),
    eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
  };
  const dynamodb = mockClient(clients.dynamodb);
  const secrets = mockClient(clients.secretsManager);
  const kms = mockClient(clients.kms);
  const eventBridge = mockClient(clients.eventBridge);

  beforeEach(() => {
    for (const mock of [dynamodb, secrets, kms, eventBridge]) mock.reset();
  });

  it('wires every port to the injected clients and the configured names', async () => {
    // Prepare
    dynamodb.on(GetItemCommand).resolves({});
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ client_id: 'id', client_secret: 'test-cs-runtime' }),
    });
    kms.on(DecryptCommand).resolves({ Plaintext: Buffer.from('1000.test-rt-runtime') });
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    const ports = createAwsPorts(config, clients);

    // Act
    await ports.store.get('books-eu');
    await ports.credentials.get('books-app', 'eu');
    await ports.cipher.decrypt('books-eu', 'AAAA');
    await ports.events.publish({
      detailType: 'Zoho Refresh Failed',
      detail: {
        connectionId: 'books-eu',
        version: 7,
        errorCode: 'transient',
        message: 'x',
        permanent: false,
      },
    });

    // Assess
    expect(dynamodb).toReceiveCommandWith(GetItemCommand, { TableName: 'table-under-test' });
    expect(secrets).toReceiveCommandWith(GetSecretValueCommand, {
      SecretId: 'prefix-under-test/_clients/books-app',
    });
    expect(kms).toReceiveCommandWith(DecryptCommand, { KeyId: 'alias/key-under-test' });
    expect(eventBridge).toReceiveCommandWith(PutEventsCommand, {
      Entries: [expect.objectContaining({ EventBusName: 'bus-under-test' })],
    });
  });

  it('logs and skips an unreadable item when given a log', async () => {
    // Prepare
    dynamodb.on(QueryCommand).resolves({ Items: [{ pk: { S: 'CONN#broken' }, sk: { S: 'CONNECTION' } }] });
    const errors: string[] = [];
    const log: Log = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (message) => errors.push(message),
    };
    const ports = createAwsPorts(config, clients, { log });

    // Act
    const due = await ports.store.listDue(Date.UTC(2026, 10, 26), 10);

    // Assess
    expect(due).toEqual([]);
    // One unreadable item answered by each of the 16 due shards.
    expect(errors).toEqual(Array(16).fill('Skipping an unreadable table item'));
  });
});
