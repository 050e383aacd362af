/**
 * A shared AWS config and credentials file of its own (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE)
 * with a few profiles, and a way to run code under an environment that names them and nothing else:
 * no region, no access key, no instance metadata. The SDK reads these variables from process.env
 * when it resolves a client's region and credentials, so they are set there, and restored after.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Fake credentials of the profiles: moto takes any, and none is a secret of the tests. */
export const PROFILE_ACCESS_KEY_ID = 'AKIAPROFILETESTKEY01';

export interface AwsProfileFiles {
  readonly configFile: string;
  readonly credentialsFile: string;
}

/**
 * Writes the files: `[profile <name>]` sections with `region`, and `[<name>]` credentials for the
 * profiles listed in `withCredentials`. A new directory per call: the SDK caches a file it has read
 * by its path for the life of the process.
 */
export function writeAwsProfiles(
  regions: Readonly<Record<string, string | undefined>>,
  withCredentials: readonly string[],
): AwsProfileFiles {
  const dir = mkdtempSync(join(tmpdir(), 'zt-aws-profiles-'));
  const configFile = join(dir, 'config');
  const credentialsFile = join(dir, 'credentials');
  const section = (name: string) => (name === 'default' ? '[default]' : `[profile ${name}]`);
  writeFileSync(
    configFile,
    Object.entries(regions)
      .map(
        ([name, region]) =>
          `${section(name)}\n${region === undefined ? 'output = json' : `region = ${region}`}\n`,
      )
      .join('\n'),
  );
  writeFileSync(
    credentialsFile,
    withCredentials
      .map(
        (name) =>
          `[${name}]\naws_access_key_id = ${PROFILE_ACCESS_KEY_ID}\naws_secret_access_key = profile-test-secret\n`,
      )
      .join('\n'),
  );
  return { configFile, credentialsFile };
}

/** What an operator's shell holds besides the files: everything else AWS is unset. */
const CLEARED = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SDK_LOAD_CONFIG',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
] as const;

/**
 * Runs `action` with the files named, every other AWS setting of the environment unset except
 * `extra` (e.g. AWS_PROFILE), and the instance metadata service off (the chain's last resort,
 * which would otherwise wait on a network timeout); restores the environment after.
 */
export async function withAwsProfiles<T>(
  files: AwsProfileFiles,
  extra: Readonly<Record<string, string>>,
  action: () => Promise<T>,
): Promise<T> {
  const names = [...CLEARED, 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED'];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  for (const name of CLEARED) delete process.env[name];
  Object.assign(process.env, {
    AWS_CONFIG_FILE: files.configFile,
    AWS_SHARED_CREDENTIALS_FILE: files.credentialsFile,
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  });
  try {
    return await action();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    for (const name of Object.keys(extra)) if (!(name in saved)) delete process.env[name];
  }
}
