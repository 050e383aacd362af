/**
 * Helpers of the infra tests: the app's own feature flags (from cdk.json, so a test synthesizes what
 * `cdk synth` does), stacks with or without bundling, and lookups into a template.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';
import { ZohoTokenRefresher, type ZohoTokenRefresherProps } from '../../infra/zoho-token-refresher';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A fixed environment: ARNs come out as plain strings, which makes IAM assertions readable. */
export const TEST_ENV = { account: '111122223333', region: 'eu-west-1' } as const;
export const ARN_PREFIX = `arn:aws:secretsmanager:${TEST_ENV.region}:${TEST_ENV.account}:secret:`;

/** A customer key for the access-token secrets (imported: it creates no resource). */
export const SECRETS_KEY_ARN = `arn:aws:kms:${TEST_ENV.region}:${TEST_ENV.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

export function customerKey(): kms.IKey {
  return kms.Key.fromKeyArn(new Stack(testApp(), 'Keys', { env: TEST_ENV }), 'SecretsKey', SECRETS_KEY_ARN);
}

/** The `context` of cdk.json (feature flags). */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface TestAppOptions {
  /** Bundle the functions (seconds). Template assertions do not need the code. @default false */
  readonly bundle?: boolean;
  readonly outdir?: string;
  readonly context?: Record<string, unknown>;
}

/** An App with cdk.json's flags; without bundling unless asked. */
export function testApp(options: TestAppOptions = {}): App {
  return new App({
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
    context: {
      ...cdkJsonContext(),
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
}

/** A stack holding one refresher. */
export function refresherStack(props: ZohoTokenRefresherProps = {}, options: TestAppOptions = {}) {
  const app = testApp(options);
  const stack = new Stack(app, 'Test', { env: TEST_ENV });
  const refresher = new ZohoTokenRefresher(stack, 'Refresher', props);
  return { app, stack, refresher };
}

/** A stack holding one refresher, synthesized: what most assertions start from. */
export function synthesizedRefresher(props: ZohoTokenRefresherProps = {}) {
  const built = refresherStack(props);
  return { ...built, template: templateOf(built.stack) };
}

/** The condition of every refresh-token decrypt grant: an encryption context naming a connection. */
export const CONTEXT_PRESENT = {
  Null: { 'kms:EncryptionContext:zoho-token-refresher:connection-id': 'false' },
};
/** The condition of every grant on the access-token secrets' key: only through Secrets Manager. */
export const SECRETS_VIA = { 'kms:ViaService': `secretsmanager.${TEST_ENV.region}.amazonaws.com` };
/** Every access-token secret under the default prefix. */
export const ALL_TOKENS = `${ARN_PREFIX}zoho-token-refresher/*/access-token-??????`;

/** Logical id of a construct's CloudFormation resource (the construct or its default child). */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).resolve(element.logicalId) as string;
}

/** `{ "Fn::GetAtt": [id, "Arn"] }` of a construct. */
export const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

type Statement = Record<string, unknown>;

/** The statements of the one AWS::IAM::Policy attached to `role`. */
export function roleStatements(template: Template, role: IConstruct): Statement[] {
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(role) }] } }),
  );
  if (policies.length !== 1)
    throw new Error(`expected one policy on ${role.node.path}, found ${policies.length}`);
  return (policies[0] as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
    .PolicyDocument.Statement;
}

/** A template of the stack (synthesizes it). */
export const templateOf = (stack: Stack) => Template.fromStack(stack);
