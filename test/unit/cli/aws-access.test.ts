/**
 * Where the CLI finds its region and credentials: as the AWS CLI does, from --profile or AWS_PROFILE
 * in the shared config and credentials files, with --region and the environment first. No AWS call:
 * the SDK resolves both locally.
 */

import { Readable } from 'node:stream';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveAwsAccess } from '../../../cli/aws-access';
import {
  AwsCredentialsNotFoundError,
  AwsRegionMissingError,
  StackAccessDeniedError,
  StackNotFoundError,
} from '../../../cli/aws-errors';
import { resolveTarget } from '../../../cli/aws-target';
import { describeFailure } from '../../../cli/errors';
import { type CliProgram, main, OPERATOR_PROGRAM } from '../../../cli/main';
import { DEV_PROGRAM } from '../../../dev/cli';
import { withAwsProfiles, writeAwsProfiles } from '../../support/aws-profiles';

const files = writeAwsProfiles({ default: undefined, dev: 'eu-west-2', nocreds: 'eu-west-1' }, ['dev']);
const inProfiles = <T>(extra: Record<string, string>, action: () => Promise<T>) =>
  withAwsProfiles(files, extra, action);
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('resolveAwsAccess', () => {
  it("takes the region from the profile's section of AWS_CONFIG_FILE, without AWS_SDK_LOAD_CONFIG", async () => {
    // Act
    const access = await inProfiles({}, () => resolveAwsAccess({ profile: 'dev' }));

    // Assess
    expect(access).toEqual({
      region: 'eu-west-2',
      profile: 'dev',
      profileInUse: { name: 'dev', source: 'flag' },
    });
  });

  it('leaves AWS_PROFILE to the SDK, and says where the profile came from', async () => {
    // Act
    const access = await inProfiles({ AWS_PROFILE: 'dev' }, () => resolveAwsAccess({}, process.env));

    // Assess
    expect(access).toEqual({ region: 'eu-west-2', profileInUse: { name: 'dev', source: 'env' } });
  });

  it.each([
    ['--region', { region: 'ap-south-1' }, { AWS_REGION: 'us-west-2' }, 'ap-south-1'],
    ['AWS_REGION', {}, { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'ca-central-1' }, 'us-west-2'],
    ['AWS_DEFAULT_REGION', {}, { AWS_DEFAULT_REGION: 'ca-central-1' }, 'ca-central-1'],
  ])("prefers %s to the profile's region, as the AWS CLI does", async (_label, flags, env, region) => {
    // Act
    const access = await inProfiles(env, () => resolveAwsAccess({ profile: 'dev', ...flags }, process.env));

    // Assess
    expect(access.region).toBe(region);
  });

  it('names the profile that has no credentials, with what to do', async () => {
    // Act
    const error = await failureOf(inProfiles({}, () => resolveAwsAccess({ profile: 'nocreds' })));

    // Assess
    expect(error).toBeInstanceOf(AwsCredentialsNotFoundError);
    expect(describeFailure(error)).toEqual({
      message: "No AWS credentials found for profile 'nocreds' (--profile)",
      hint: "pass --profile NAME or set AWS_PROFILE (a profile of ~/.aws/config), run 'aws sso login --profile NAME' if its SSO session expired, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
      exitCode: 1,
    });
  });

  it('says no region is set when neither flags, environment nor the profile name one', async () => {
    // Act
    const error = await failureOf(inProfiles({}, () => resolveAwsAccess({}, process.env)));

    // Assess
    expect(error).toBeInstanceOf(AwsRegionMissingError);
    expect(describeFailure(error)).toMatchObject({ message: 'No AWS region', exitCode: 1 });
    expect(describeFailure(error).hint).toContain("pass --region, set AWS_REGION, or add 'region = …'");
  });
});

describe('reading the stack', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  const access = async () => ({
    region: 'eu-west-2',
    profile: 'dev',
    profileInUse: { name: 'dev', source: 'flag' as const },
  });
  const named = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: {} });
  beforeEach(() => cloudFormation.reset());
  afterAll(() => cloudFormation.restore());

  it('tells a stack that does not exist in the region', async () => {
    // Prepare
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(named('ValidationError', 'Stack with id ZohoTokenRefresher does not exist'));

    // Act
    const error = await failureOf(resolveTarget({ profile: 'dev' }, { access }));

    // Assess
    expect(error).toBeInstanceOf(StackNotFoundError);
    expect(describeFailure(error)).toEqual({
      message: "Stack 'ZohoTokenRefresher' not found in eu-west-2",
      hint: "deploy it with 'npx cdk deploy' (into this account and region), or point at the deployed one with --stack, --region or --profile; or name --table, --bus and --key",
      exitCode: 1,
    });
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(1);
  });

  it('tells credentials that may not read the stack from a stack that is not there', async () => {
    // Prepare
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(named('AccessDenied', 'User: arn:aws:iam::123456789012:user/ops is not authorized'));

    // Act
    const error = await failureOf(resolveTarget({ profile: 'dev', stack: 'Prod' }, { access }));

    // Assess
    expect(error).toBeInstanceOf(StackAccessDeniedError);
    expect(describeFailure(error).message).toBe(
      "Access denied reading stack 'Prod' in eu-west-2 (cloudformation:DescribeStacks) with the credentials of profile 'dev' (--profile)",
    );
    expect(describeFailure(error).hint).toContain("the construct's grantOperate(principal)");
  });

  it('passes any other ValidationError through as what AWS said', async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand).rejects(named('ValidationError', '1 validation error detected'));

    // Act
    const error = await failureOf(resolveTarget({ stack: 'bad name' }, { access }));

    // Assess
    expect(error).not.toBeInstanceOf(StackNotFoundError);
    expect(describeFailure(error)).toEqual({
      message: 'AWS ValidationError: 1 validation error detected',
      exitCode: 1,
    });
  });

  it('reports a credentials failure met after the target was resolved (--table/--bus/--key) as such', () => {
    // Prepare
    const late = named('CredentialsProviderError', 'Could not load credentials from any providers');

    // Act
    const failure = describeFailure(late);

    // Assess
    expect(failure.message).toBe('No AWS credentials found');
    expect(failure.hint).toContain("run 'aws sso login --profile NAME'");
    expect(failure.exitCode).toBe(1);
  });
});

describe('the --profile option', () => {
  async function run(args: readonly string[], program: CliProgram = OPERATOR_PROGRAM) {
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      stdin: Readable.from([]),
      isTTY: false,
      env: {},
    };
    const code = await main(args, io, program);
    return { code, stdout, stderr };
  }

  it('is refused with --aws-endpoint, where no credentials are needed, before anything is called', async () => {
    // Act
    const result = await run(['status', '--profile', 'dev', '--aws-endpoint', 'http://127.0.0.1:1']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'zoho-tokens: --profile names AWS credentials; against an emulator (--aws-endpoint) none are needed\n' +
        'hint: drop --profile, or --aws-endpoint to act on the stack in AWS\n',
    );
  });

  it("is not offered by the workshop's emulator-only commands", async () => {
    // Act
    const refused = await run(
      ['init', '--profile', 'dev', '--aws-endpoint', 'http://127.0.0.1:1'],
      DEV_PROGRAM,
    );

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('init: unknown option "--profile"');
  });
});
