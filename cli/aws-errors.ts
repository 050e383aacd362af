/**
 * What can go wrong before a command touches its first resource in AWS, each with its own type and
 * advice: no region, no credentials, a stack that is not there, a stack the credentials may not
 * read. Told apart because each needs a different fix, and "deploy the stack" is wrong advice for
 * an expired SSO session.
 */
import { AWS_CREDENTIALS_HINT, isCredentialsMissing, OperationError } from './errors';

/** Where the profile the SDK used was named: `--profile`, AWS_PROFILE, or nowhere (the default chain). */
export type ProfileSource = 'flag' | 'env' | 'none';

/** The profile the CLI uses and where it was named, for messages. */
export interface ProfileInUse {
  readonly name?: string;
  readonly source: ProfileSource;
}

/** The SDK's default provider chain found no credentials (or only an expired SSO session). */
export class AwsCredentialsNotFoundError extends OperationError {
  readonly profile: ProfileInUse;

  constructor(profile: ProfileInUse, options?: { cause?: unknown }) {
    super(
      profile.source === 'none'
        ? 'No AWS credentials found (no --profile or AWS_PROFILE, no AWS_ACCESS_KEY_ID, none in the default profile nor from an instance or container role)'
        : `No AWS credentials found for ${label(profile)}`,
      AWS_CREDENTIALS_HINT,
      options,
    );
    this.profile = profile;
  }
}

/** Neither --region, AWS_REGION, AWS_DEFAULT_REGION nor the profile names a region. */
export class AwsRegionMissingError extends OperationError {
  constructor(profile: ProfileInUse, options?: { cause?: unknown }) {
    super(
      profile.source === 'none' ? 'No AWS region' : `No AWS region: profile ${shown(profile.name)} sets none`,
      "pass --region, set AWS_REGION, or add 'region = …' to the profile in ~/.aws/config (or the file AWS_CONFIG_FILE names)",
      options,
    );
  }
}

/** DescribeStacks says the stack does not exist in this account and region. */
export class StackNotFoundError extends OperationError {
  readonly stackName: string;
  readonly region: string;

  constructor(stackName: string, region: string, options?: { cause?: unknown }) {
    super(
      `Stack '${stackName}' not found in ${region}`,
      "deploy it with 'npx cdk deploy' (into this account and region), or point at the deployed one with --stack, --region or --profile; or name --table, --bus and --key",
      options,
    );
    this.stackName = stackName;
    this.region = region;
  }
}

/** The credentials work, but may not read the stack's outputs. */
export class StackAccessDeniedError extends OperationError {
  readonly stackName: string;

  constructor(stackName: string, region: string, profile: ProfileInUse, options?: { cause?: unknown }) {
    super(
      `Access denied reading stack '${stackName}' in ${region} (cloudformation:DescribeStacks) with ${profile.source === 'none' ? 'the credentials in use' : `the credentials of ${label(profile)}`}`,
      "grant the operator what the CLI needs: the construct's grantOperate(principal), or the table 'What an operator's credentials need' in the README",
      options,
    );
    this.stackName = stackName;
  }
}

/**
 * A DescribeStacks failure as one of the typed errors above, or the error itself. CloudFormation has
 * no error code of its own for a missing stack: it answers `ValidationError` with "Stack with id X
 * does not exist", so that one case is told by its message; a malformed stack name is a
 * ValidationError too and passes through as is.
 */
export function stackReadError(
  error: unknown,
  stackName: string,
  region: string,
  profile: ProfileInUse,
): unknown {
  if (!(error instanceof Error)) return error;
  if (isCredentialsMissing(error)) return new AwsCredentialsNotFoundError(profile, { cause: error });
  if (error.name === 'ValidationError' && /does not exist/.test(error.message)) {
    return new StackNotFoundError(stackName, region, { cause: error });
  }
  if (error.name === 'AccessDenied' || error.name === 'AccessDeniedException') {
    return new StackAccessDeniedError(stackName, region, profile, { cause: error });
  }
  return error;
}

/** A named profile and where it was named: `profile 'dev' (--profile)`. */
function label(profile: ProfileInUse): string {
  return `profile ${shown(profile.name)} (${profile.source === 'flag' ? '--profile' : 'AWS_PROFILE'})`;
}

/** A profile name as messages show it: a plain name quoted, anything else described. */
function shown(name: string | undefined): string {
  return name !== undefined && /^[\w.+@-]{1,64}$/.test(name) ? `'${name}'` : '(unnamed)';
}
