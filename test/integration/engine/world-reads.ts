/** Reads of AWS state the engine tests assert on, straight from the emulator (not through the ports). */
import {
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { accessTokenSecretName } from '../../../functions/aws/names';

export interface SecretState {
  readonly value: Record<string, unknown>;
  readonly versionId: string;
  readonly versionCount: number;
}

/** The access-token secret as Secrets Manager holds it, or undefined when there is none. */
export async function readSecret(
  client: SecretsManagerClient,
  secretPrefix: string,
  connectionId: string,
): Promise<SecretState | undefined> {
  const SecretId = accessTokenSecretName(secretPrefix, connectionId);
  try {
    const secret = await client.send(new GetSecretValueCommand({ SecretId }));
    const versions = await client.send(new ListSecretVersionIdsCommand({ SecretId }));
    return {
      value: JSON.parse(secret.SecretString ?? 'null') as Record<string, unknown>,
      versionId: secret.VersionId ?? '',
      versionCount: versions.Versions?.length ?? 0,
    };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Receives and deletes every message of the queue, as EventBridge events. */
export async function takeEvents(sqs: SQSClient, queueUrl: string) {
  const events: Array<{ detailType: string; detail: Record<string, unknown> }> = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return events;
    for (const message of Messages) {
      const event = JSON.parse(message.Body ?? '{}') as {
        'detail-type': string;
        detail: Record<string, unknown>;
      };
      events.push({ detailType: event['detail-type'], detail: event.detail });
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}
