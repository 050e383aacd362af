/**
 * globalSetup of the integration project: one moto server for the whole run, its endpoint handed
 * to every test file through `inject('awsEndpoint')`. Files run one after another and each resets
 * the emulator (`useEmulator()`), so they never see each other's resources.
 */
import type { TestProject } from 'vitest/node';
import { EMULATOR_CREDENTIALS, startMotoServer } from '../../dev/emulator/moto-server';
import { LOCAL_DEFAULTS } from '../../functions/aws/names';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The moto server of this run, e.g. `http://127.0.0.1:PORT`. */
    awsEndpoint: string;
  }
}

/** Starts moto; the returned teardown stops it whatever the tests did. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Workers inherit this environment: any SDK client built without explicit credentials still gets
  // fake ones, so a test can never reach a real account through a developer's profile.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: LOCAL_DEFAULTS.region,
    AWS_DEFAULT_REGION: LOCAL_DEFAULTS.region,
  });
  delete process.env.AWS_PROFILE;

  const moto = await startMotoServer({ log: (line) => process.stderr.write(`[global-moto] ${line}\n`) });
  project.provide('awsEndpoint', moto.endpoint);
  return () => moto.stop();
}
