/**
 * The data resources of `local init`: the DynamoDB table (exactly as TABLE_SCHEMA describes it)
 * and the KMS key that encrypts refresh tokens.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  type TableDescription,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  AlreadyExistsException,
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  KMSClient,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { TABLE_SCHEMA } from '../../functions/aws/table';
import { ZohoTokenRefresherError } from '../../functions/core/errors';
import type { EmulatorClientConfig } from './resources';

/** A local resource cannot be created or reused as it is. */
export class LocalResourceError extends ZohoTokenRefresherError {
  constructor(message: string) {
    super('local_resource', message);
  }
}

/** Records a resource the call created. */
export type Note = (kind: string, name: string) => void;

/** A field the emulator must have answered with; its absence means the emulator is broken. */
export function answered<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === null || value === '') {
    throw new LocalResourceError(`The AWS emulator answered without ${what}`);
  }
  return value;
}

/** Creates the table if missing, then makes sure TTL and point-in-time recovery are on. */
export async function ensureTable(
  config: EmulatorClientConfig,
  tableName: string,
  note: Note,
): Promise<{ arn: string }> {
  const dynamodb = new DynamoDBClient(config);
  try {
    let table = await describeTable(dynamodb, tableName);
    if (table === undefined) {
      const { TableDescription: createdTable } = await dynamodb.send(
        new CreateTableCommand(tableDefinition(tableName)),
      );
      table = createdTable;
      note('table', tableName);
    } else {
      checkKeys(table, tableName);
      await addMissingIndexes(dynamodb, table, tableName, note);
    }
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    // Enabling TTL twice is an error in AWS, so only when it is off.
    if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
      await dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.ttlAttribute, Enabled: true },
        }),
      );
    }
    await dynamodb.send(
      new UpdateContinuousBackupsCommand({
        TableName: tableName,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
    return { arn: answered(table?.TableArn, 'a table ARN') };
  } finally {
    dynamodb.destroy();
  }
}

/** The table as the stack defines it: on-demand, the two sparse GSIs of the planner, TTL on history. */
export function tableDefinition(tableName: string) {
  const { partitionKey, sortKey, dueIndex, retryIndex } = TABLE_SCHEMA;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: partitionKey, AttributeType: 'S' as const },
      { AttributeName: sortKey, AttributeType: 'S' as const },
      { AttributeName: dueIndex.partitionKey, AttributeType: 'S' as const },
      { AttributeName: dueIndex.sortKey, AttributeType: 'N' as const },
      { AttributeName: retryIndex.partitionKey, AttributeType: 'S' as const },
      { AttributeName: retryIndex.sortKey, AttributeType: 'N' as const },
    ],
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' as const },
      { AttributeName: sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [dueIndexDefinition(), retryIndexDefinition()],
  };
}

function dueIndexDefinition() {
  const { dueIndex } = TABLE_SCHEMA;
  return {
    IndexName: dueIndex.name,
    KeySchema: [
      { AttributeName: dueIndex.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: dueIndex.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  };
}

function retryIndexDefinition() {
  const { retryIndex } = TABLE_SCHEMA;
  return {
    IndexName: retryIndex.name,
    KeySchema: [
      { AttributeName: retryIndex.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: retryIndex.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...retryIndex.projected] },
  };
}

/**
 * A table `local init` made before the retry index existed gets it added, as a deploy of the new
 * stack would add it: an emulator kept across versions keeps working.
 */
async function addMissingIndexes(
  dynamodb: DynamoDBClient,
  table: TableDescription,
  tableName: string,
  note: Note,
): Promise<void> {
  const { retryIndex } = TABLE_SCHEMA;
  if (table.GlobalSecondaryIndexes?.some((gsi) => gsi.IndexName === retryIndex.name)) return;
  await dynamodb.send(
    new UpdateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: retryIndex.partitionKey, AttributeType: 'S' },
        { AttributeName: retryIndex.sortKey, AttributeType: 'N' },
      ],
      GlobalSecondaryIndexUpdates: [{ Create: retryIndexDefinition() }],
    }),
  );
  note('index', `${tableName}/${retryIndex.name}`);
}

async function describeTable(dynamodb: DynamoDBClient, tableName: string) {
  try {
    return (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** An existing table of that name with other keys would break every adapter in confusing ways. */
function checkKeys(table: TableDescription, tableName: string): void {
  const keys = (schema: { AttributeName?: string | undefined; KeyType?: string | undefined }[] | undefined) =>
    (schema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
  const wanted = tableDefinition(tableName);
  const wantedIndex = dueIndexDefinition();
  const index = table.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === wantedIndex?.IndexName);
  if (
    keys(table.KeySchema) !== keys(wanted.KeySchema) ||
    keys(index?.KeySchema) !== keys(wantedIndex?.KeySchema)
  ) {
    throw new LocalResourceError(
      `Table '${tableName}' exists with another key schema or without '${TABLE_SCHEMA.dueIndex.name}'; delete it or choose another --table`,
    );
  }
}

/** Finds the key by its alias, or creates a symmetric key with rotation and the alias. */
export async function ensureKey(
  config: EmulatorClientConfig,
  alias: string,
  note: Note,
): Promise<{ keyId: string; keyArn: string }> {
  const kms = new KMSClient(config);
  try {
    const existing = await describeKey(kms, alias);
    if (existing) return existing;
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({
        Description: 'zoho-token-refresher: encrypts stored refresh tokens (local)',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'SYMMETRIC_DEFAULT',
      }),
    );
    const keyId = answered(KeyMetadata?.KeyId, 'a key id');
    await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
    try {
      await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
    } catch (error) {
      // A concurrent `local init` won the alias; use its key (ours stays unused in the emulator).
      if (!(error instanceof AlreadyExistsException)) throw error;
      return answered(await describeKey(kms, alias), `the key behind ${alias}`);
    }
    note('key', alias);
    return { keyId, keyArn: answered(KeyMetadata?.Arn, 'a key ARN') };
  } finally {
    kms.destroy();
  }
}

async function describeKey(kms: KMSClient, alias: string) {
  try {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
    return {
      keyId: answered(KeyMetadata?.KeyId, 'a key id'),
      keyArn: answered(KeyMetadata?.Arn, 'a key ARN'),
    };
  } catch (error) {
    if (error instanceof NotFoundException) return undefined;
    throw error;
  }
}
