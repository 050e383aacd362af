/**
 * For integration test files: the moto server started by `global-moto.ts`, reset before the file's
 * tests so each file starts from an empty account.
 */
import { beforeAll, inject } from 'vitest';
import { EMULATOR_CREDENTIALS, resetMoto } from '../../dev/emulator/moto-server';
import type { EmulatorClientConfig } from '../../dev/resources/resources';
import { LOCAL_DEFAULTS } from '../../functions/aws/names';

export interface Emulator {
  readonly endpoint: string;
  readonly region: string;
  /** What every SDK client of a test takes: `new DynamoDBClient(clientConfig)`. */
  readonly clientConfig: EmulatorClientConfig;
}

/** Call once at the top of an integration test file (or describe). */
export function useEmulator(): Emulator {
  const endpoint = inject('awsEndpoint');
  const region = LOCAL_DEFAULTS.region;
  beforeAll(() => resetMoto(endpoint));
  return { endpoint, region, clientConfig: { endpoint, region, credentials: EMULATOR_CREDENTIALS } };
}
