/**
 * The data resources of the dev CLI's `init`: the DynamoDB table and the KMS key that encrypts
 * refresh tokens, as the stack's template defines them (template-spec.ts).
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
import { ZohoTokenRefresherError } from '../../functions/core/errors';
import type { EmulatorClientConfig } from './resources';
import type { IndexSpec, KeyElement, LocalStackSpec, TableSpec } from './template-spec';

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

/** Creates the table if missing (or adds the indexes it lacks), then makes sure TTL and backups are on. */
export async function ensureTable(
  config: EmulatorClientConfig,
  tableName: string,
  spec: TableSpec,
  note: Note,
): Promise<{ arn: string }> {
  const dynamodb = new DynamoDBClient(config);
  try {
    let table = await describeTable(dynamodb, tableName);
    if (table === undefined) {
      const { TableDescription: createdTable } = await dynamodb.send(
        new CreateTableCommand(tableDefinition(tableName, spec)),
      );
      table = createdTable;
      note('table', tableName);
    } else {
      checkKeys(table, tableName, spec);
      await addMissingIndexes(dynamodb, table, tableName, spec, note);
    }
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    // Enabling TTL twice is an error in AWS, so only when it is off.
    if (spec.ttlAttribute !== undefined && ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
      await dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
        }),
      );
    }
    if (spec.pointInTimeRecovery) {
      await dynamodb.send(
        new UpdateContinuousBackupsCommand({
          TableName: tableName,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      );
    }
    return { arn: answered(table?.TableArn, 'a table ARN') };
  } finally {
    dynamodb.destroy();
  }
}

/** CreateTable's input for the table of the template, under `tableName`. */
export function tableDefinition(tableName: string, spec: TableSpec) {
  return {
    TableName: tableName,
    ...(spec.BillingMode === undefined ? {} : { BillingMode: spec.BillingMode }),
    AttributeDefinitions: [...spec.AttributeDefinitions],
    KeySchema: [...spec.KeySchema],
    ...(spec.GlobalSecondaryIndexes.length === 0
      ? {}
      : { GlobalSecondaryIndexes: spec.GlobalSecondaryIndexes.map(indexDefinition) }),
  };
}

function indexDefinition(index: IndexSpec) {
  const { ProjectionType, NonKeyAttributes } = index.Projection;
  return {
    IndexName: index.IndexName,
    KeySchema: [...index.KeySchema],
    Projection: {
      ...(ProjectionType === undefined ? {} : { ProjectionType }),
      ...(NonKeyAttributes === undefined ? {} : { NonKeyAttributes: [...NonKeyAttributes] }),
    },
  };
}

/**
 * A table an older `init` made before an index existed gets it added, one index per update as
 * DynamoDB requires, as a deploy of the new stack would add it: an emulator kept across versions
 * keeps working.
 */
async function addMissingIndexes(
  dynamodb: DynamoDBClient,
  table: TableDescription,
  tableName: string,
  spec: TableSpec,
  note: Note,
): Promise<void> {
  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((gsi) => gsi.IndexName));
  for (const index of spec.GlobalSecondaryIndexes.filter((gsi) => !present.has(gsi.IndexName))) {
    const keyNames = new Set(index.KeySchema.map((key) => key.AttributeName));
    await dynamodb.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: spec.AttributeDefinitions.filter((a) => keyNames.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: indexDefinition(index) }],
      }),
    );
    note('index', `${tableName}/${index.IndexName}`);
  }
}

async function describeTable(dynamodb: DynamoDBClient, tableName: string) {
  try {
    return (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * An existing table of that name with other keys, or an index of the template's name on other keys,
 * would break every adapter in confusing ways.
 */
function checkKeys(table: TableDescription, tableName: string, spec: TableSpec): void {
  const keys = (schema: readonly Partial<KeyElement>[] | undefined) =>
    (schema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
  const clash = spec.GlobalSecondaryIndexes.find((wanted) => {
    const index = table.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === wanted.IndexName);
    return index !== undefined && keys(index.KeySchema) !== keys(wanted.KeySchema);
  });
  if (keys(table.KeySchema) !== keys(spec.KeySchema) || clash !== undefined) {
    throw new LocalResourceError(
      `Table '${tableName}' exists with another key schema${clash === undefined ? '' : ` or index '${clash.IndexName}'`}; delete it or choose another --table`,
    );
  }
}

/** Finds the key by its alias, or creates a symmetric key with rotation and the alias. */
export async function ensureKey(
  config: EmulatorClientConfig,
  alias: string,
  spec: LocalStackSpec['key'],
  note: Note,
): Promise<{ keyId: string; keyArn: string }> {
  const kms = new KMSClient(config);
  try {
    const existing = await describeKey(kms, alias);
    if (existing) return existing;
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({
        ...(spec.description === undefined ? {} : { Description: spec.description }),
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'SYMMETRIC_DEFAULT',
      }),
    );
    const keyId = answered(KeyMetadata?.KeyId, 'a key id');
    if (spec.rotation) await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
    try {
      await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
    } catch (error) {
      // A concurrent `init` won the alias; use its key (ours stays unused in the emulator).
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
