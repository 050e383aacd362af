/**
 * What the sandbox takes back out of an emulator it did not start: the emulator keeps running after
 * the sandbox stops, but the demo connections would not work any more (they point at the stopped
 * simulator's ports) and would stay "active", failing every sweep that runs against it. So the
 * connections it registered go (their item and history), with their access-token secrets, and the
 * client app if this run created it and no connection uses it any more.
 */
import { type AttributeValue, DeleteItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DeleteSecretCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { clientSecretName } from '../../functions/aws/names';
import { connectionKey } from '../../functions/aws/table';
import type { RefreshDependencies } from '../../functions/core/refresh-deps';
import type { AwsSide } from './aws-side';
import { SANDBOX_CLIENT_REF } from './setup';

export interface Removed {
  readonly connections: readonly string[];
  /** True when the client app went too (this run created it, and no connection uses it any more). */
  readonly clientApp: boolean;
}

export async function removeDemoConnections(
  aws: AwsSide,
  deps: Pick<RefreshDependencies, 'store' | 'vault'>,
  connectionIds: readonly string[],
  /** Only a client app this run created is removed: an earlier one may be someone's. */
  createdClientApp: boolean,
): Promise<Removed> {
  for (const connectionId of connectionIds) {
    await deleteItems(aws, connectionId);
    await deps.vault.remove(connectionId);
  }
  const remove =
    createdClientApp && !(await deps.store.listAll()).some((c) => c.clientRef === SANDBOX_CLIENT_REF);
  if (remove) {
    try {
      await aws.clients.secretsManager.send(
        new DeleteSecretCommand({
          SecretId: clientSecretName(aws.resources.secretPrefix, SANDBOX_CLIENT_REF),
          ForceDeleteWithoutRecovery: true,
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
  return { connections: [...connectionIds], clientApp: remove };
}

/** The connection's item and its history: every item under its partition key. */
async function deleteItems(aws: AwsSide, connectionId: string): Promise<void> {
  const { pk } = connectionKey(connectionId);
  const tableName = aws.resources.tableName;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await aws.clients.dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
        ProjectionExpression: 'pk, sk',
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.pk === undefined || item.sk === undefined) continue;
      await aws.clients.dynamodb.send(
        new DeleteItemCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk } }),
      );
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
}

/** The closing line that says what was removed, and why. */
export function describeRemoved(removed: Removed, endpoint: string): string {
  const what = [
    `connection${removed.connections.length === 1 ? '' : 's'} ${removed.connections.join(', ')} with their history and access-token secrets`,
    ...(removed.clientApp ? [`the client app '${SANDBOX_CLIENT_REF}'`] : []),
  ];
  return `Removed what this run added to the emulator at ${endpoint} (it keeps running): ${what.join(', and ')}.`;
}
