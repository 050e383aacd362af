/**
 * The AWS side of the sandbox: moto started as a child process (or an emulator already running),
 * every resource the stack would create, and one SDK client per service shared by everything the
 * sandbox runs. Never real AWS: a client without an emulator endpoint is never built here.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type AwsTarget, localTarget } from '../../cli/aws-target';
import { LOCAL_DEFAULTS } from '../../functions/aws/names';
import { EMULATOR_CREDENTIALS, type MotoServer, startMotoServer } from '../emulator/moto-server';
import { serialiseWritesForMoto } from '../emulator/moto-write-guard';
import { createLocalResources, type LocalResources } from '../resources/resources';

export interface SandboxClients {
  readonly dynamodb: DynamoDBClient;
  readonly secretsManager: SecretsManagerClient;
  readonly kms: KMSClient;
  readonly eventBridge: EventBridgeClient;
  readonly sqs: SQSClient;
}

export interface AwsSide {
  readonly endpoint: string;
  /** True when the sandbox started the emulator (and so stops it). */
  readonly startedEmulator: boolean;
  readonly target: AwsTarget;
  readonly resources: LocalResources;
  readonly clients: SandboxClients;
  stop(): Promise<void>;
}

export async function startAwsSide(options: {
  readonly endpoint?: string;
  readonly region?: string;
  readonly log: (line: string) => void;
}): Promise<AwsSide> {
  const moto: MotoServer | undefined =
    options.endpoint === undefined ? await startMotoServer({ log: options.log }) : undefined;
  const endpoint = moto?.endpoint ?? (options.endpoint as string);
  const region = options.region ?? LOCAL_DEFAULTS.region;
  const config = { endpoint, region, credentials: EMULATOR_CREDENTIALS };
  const clients: SandboxClients = {
    // moto's conditional writes are not atomic under concurrency; see local/moto-write-guard.ts.
    dynamodb: serialiseWritesForMoto(new DynamoDBClient(config)),
    secretsManager: new SecretsManagerClient(config),
    kms: new KMSClient(config),
    eventBridge: new EventBridgeClient(config),
    sqs: new SQSClient(config),
  };
  const stop = async () => {
    for (const client of Object.values(clients)) client.destroy();
    await moto?.stop();
  };
  try {
    const resources = await createLocalResources({ endpoint, region });
    return {
      endpoint,
      startedEmulator: moto !== undefined,
      target: localTarget({ awsEndpoint: endpoint, region }),
      resources,
      clients,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
