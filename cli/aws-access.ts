/**
 * Which account and region the CLI acts in, found as the AWS CLI and SDKs find them:
 * - the profile: `--profile`, else AWS_PROFILE, else none (the SDK's default chain);
 * - the region: `--region`, AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region` in the
 *   shared config file (~/.aws/config or AWS_CONFIG_FILE; SDK v3 reads it without AWS_SDK_LOAD_CONFIG);
 * - the credentials: the SDK's default provider chain for that profile (environment, SSO, the shared
 *   credentials and config files, credential_process, web identity, container or instance role).
 * Both are resolved once, before the first call, so that a missing region or expired SSO session
 * is named as such rather than surfacing as a failed read of the stack.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { AwsCredentialsNotFoundError, AwsRegionMissingError, type ProfileInUse } from './aws-errors';
import { isCredentialsMissing } from './errors';

/** Where the CLI acts in AWS: a region, and the profile every SDK client is built with. */
export interface AwsAccess {
  readonly region: string;
  /** The profile named by --profile; undefined leaves the choice to the SDK (AWS_PROFILE, default). */
  readonly profile?: string;
  /** For messages: which profile the SDK uses and where it was named. */
  readonly profileInUse: ProfileInUse;
}

export interface AccessFlags {
  readonly region?: string;
  readonly profile?: string;
}

/** The environment variables this module reads itself; the SDK reads the rest of process.env. */
export type AccessEnv = Readonly<
  Partial<Record<'AWS_PROFILE' | 'AWS_REGION' | 'AWS_DEFAULT_REGION', string | undefined>>
>;

/** Resolves the region and checks that the SDK finds credentials, without calling AWS. */
export async function resolveAwsAccess(flags: AccessFlags, env: AccessEnv = process.env): Promise<AwsAccess> {
  const profileInUse = profileOf(flags, env);
  const named = flags.region ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  // A client of the SDK's own resolution: its region and credential providers honour `profile`
  // exactly as every client the CLI builds afterwards will.
  const probe = new CloudFormationClient({
    ...(flags.profile === undefined ? {} : { profile: flags.profile }),
    ...(named === undefined ? {} : { region: named }),
  });
  try {
    const region = named ?? (await regionOf(probe, profileInUse));
    try {
      await probe.config.credentials();
    } catch (error) {
      if (isCredentialsMissing(error)) throw new AwsCredentialsNotFoundError(profileInUse, { cause: error });
      throw error;
    }
    return { region, ...(flags.profile === undefined ? {} : { profile: flags.profile }), profileInUse };
  } finally {
    probe.destroy();
  }
}

/** The region the SDK finds for the probe's profile; "Region is missing" is its only common failure. */
async function regionOf(probe: CloudFormationClient, profile: ProfileInUse): Promise<string> {
  let region: string | undefined;
  try {
    region = await probe.config.region();
  } catch (error) {
    throw new AwsRegionMissingError(profile, { cause: error });
  }
  if (region === undefined || region === '') throw new AwsRegionMissingError(profile);
  return region;
}

function profileOf(flags: AccessFlags, env: AccessEnv): ProfileInUse {
  if (flags.profile !== undefined) return { name: flags.profile, source: 'flag' };
  const fromEnv = nonEmpty(env.AWS_PROFILE);
  return fromEnv === undefined ? { source: 'none' } : { name: fromEnv, source: 'env' };
}

const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);
