/**
 * The CLI against a deployed stack as an operator's shell has it: no region and no access key in the
 * environment, only a profile in AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, named by --profile
 * or AWS_PROFILE. The stack lives in the emulator's us-east-1 (AWS_ENDPOINT_URL points the SDK there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_CREDENTIALS_HINT } from '../../../cli/errors';
import { type AwsProfileFiles, withAwsProfiles, writeAwsProfiles } from '../../support/aws-profiles';
import { runCli } from './cli-run';
import { useCliWorld } from './cli-world';
import { deployStack } from './deployed-stack';

const world = useCliWorld();
const STACK = 'ZohoTokensProfileTest';
let files: AwsProfileFiles;
let restoreEndpoint = () => {};

/** `zoho-tokens args` with only the profile files (and `extra`) as AWS settings of the environment. */
const runInProfiles = (args: readonly string[], extra: Record<string, string> = {}) =>
  withAwsProfiles(files, extra, () => runCli(args));
const statusIds = (stdout: string) =>
  (JSON.parse(stdout) as Array<{ connectionId: string }>).map((view) => view.connectionId);

beforeAll(async () => {
  restoreEndpoint = await deployStack(world, STACK);
  await world.seedConnection('profile-a');
  files = writeAwsProfiles(
    { default: undefined, ops: world.target.region, nocreds: world.target.region, elsewhere: 'eu-west-1' },
    ['ops', 'elsewhere'],
  );
});

afterAll(() => restoreEndpoint());

describe('zoho-tokens with an AWS profile', () => {
  // withAwsProfiles unsets AWS_SDK_LOAD_CONFIG: SDK v3 reads the config file's region without it.
  it("finds the region and credentials through --profile, reading the profile's region from the config file", async () => {
    // Act
    const result = await runInProfiles(['status', '--json', '--stack', STACK, '--profile', 'ops']);

    // Assess
    expect(result.code).toBe(0);
    expect(statusIds(result.stdout)).toEqual(['profile-a']);
  });

  it('finds them through AWS_PROFILE', async () => {
    // Act
    const result = await runInProfiles(['status', '--json', '--stack', STACK], { AWS_PROFILE: 'ops' });

    // Assess
    expect(result.code).toBe(0);
    expect(statusIds(result.stdout)).toEqual(['profile-a']);
  });

  it('says which profile has no credentials and what to do, instead of blaming the stack', async () => {
    // Act
    const flag = await runInProfiles(['status', '--stack', STACK, '--profile', 'nocreds']);
    const env = await runInProfiles(['status', '--stack', STACK], { AWS_PROFILE: 'nocreds' });

    // Assess
    expect(flag.code).toBe(1);
    expect(flag.stdout).toBe('');
    expect(flag.stderr).toBe(
      `zoho-tokens: No AWS credentials found for profile 'nocreds' (--profile)\nhint: ${AWS_CREDENTIALS_HINT}\n`,
    );
    expect(env.code).toBe(1);
    expect(env.stderr).toContain(
      "zoho-tokens: No AWS credentials found for profile 'nocreds' (AWS_PROFILE)\n",
    );
    expect(env.stderr).not.toContain('deploy');
  });

  it('names the stack and the region where it is not deployed', async () => {
    // Act
    const unknown = await runInProfiles(['status', '--stack', 'NoSuchStack', '--profile', 'ops']);
    const elsewhere = await runInProfiles(['status', '--stack', STACK, '--profile', 'elsewhere']);

    // Assess
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      `zoho-tokens: Stack 'NoSuchStack' not found in ${world.target.region}\n`,
    );
    expect(unknown.stderr).toContain("hint: deploy it with 'npx cdk deploy'");
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain(`zoho-tokens: Stack '${STACK}' not found in eu-west-1\n`);
  });

  it("lets --region override the profile's region", async () => {
    // Act
    const result = await runInProfiles([
      'status',
      '--json',
      '--stack',
      STACK,
      '--profile',
      'elsewhere',
      '--region',
      world.target.region,
    ]);

    // Assess
    expect(result.code).toBe(0);
    expect(statusIds(result.stdout)).toEqual(['profile-a']);
  });

  it('asks for a region when neither a flag, the environment nor the profile sets one', async () => {
    // Act
    const result = await runInProfiles(['status', '--stack', STACK]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('zoho-tokens: No AWS region\n');
    expect(result.stderr).toContain(
      "hint: pass --region, set AWS_REGION, or add 'region = …' to the profile",
    );
  });
});
