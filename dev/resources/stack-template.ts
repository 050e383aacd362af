/**
 * The stack's CloudFormation template, synthesized in this process from the construct itself: the
 * one definition the emulator's resources are read from (template-spec.ts), so a change to the
 * construct shows up locally without a second edit. Handlers are never bundled here (the CDK context
 * `aws:cdk:bundling-stacks` is empty): the template's resources do not depend on the code.
 *
 * A synth takes seconds, and `init`, the sandbox and every integration world need it, so the template
 * is kept in the system's temporary directory under a hash of everything it is made from (infra/,
 * functions/, cdk.json and the aws-cdk-lib version): any edit there synthesizes it anew.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ZohoTokenRefresherProps } from '../../infra/zoho-token-refresher';
import type { ZohoTokenRefresherStack } from '../../infra/zoho-token-refresher-stack';
import { PROJECT_ROOT } from '../emulator/python-env';

/** One resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
}

/** The parts of a CloudFormation template the workshop reads. */
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, { readonly Value: unknown }>>;
}

/** The folders and files whose content makes the template. */
const SOURCES = ['infra', 'functions'] as const;

let memo: { readonly hash: string; readonly template: Promise<CfnTemplate> } | undefined;

/**
 * The template of the stack `cdk deploy` makes with the construct's defaults; from the cache when
 * nothing it is made from changed since it was last synthesized.
 */
export function stackTemplate(): Promise<CfnTemplate> {
  const hash = sourceHash();
  if (memo?.hash !== hash) memo = { hash, template: cachedOrSynthesized(hash) };
  return memo.template;
}

async function cachedOrSynthesized(hash: string): Promise<CfnTemplate> {
  const dir = join(tmpdir(), 'zoho-token-refresher-templates');
  const file = join(dir, `${hash}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
  } catch {
    // Not cached yet (or unreadable): synthesize it.
  }
  const template = await synthesizeTemplate();
  mkdirSync(dir, { recursive: true });
  // Written whole, then renamed: a concurrent reader never sees half a file.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(template));
  renameSync(partial, file);
  return template;
}

/** What a test may change of the stack before it is synthesized. */
export interface SynthesisOptions {
  /** @default the construct's defaults */
  readonly refresher?: ZohoTokenRefresherProps;
  /** Changes the stack after it is built, as an edit of the construct would. */
  readonly change?: (stack: ZohoTokenRefresherStack) => void;
}

/**
 * Synthesizes the stack in-process, with cdk.json's feature flags and without bundling.
 * aws-cdk-lib (a devDependency) is loaded only here.
 */
export async function synthesizeTemplate(options: SynthesisOptions = {}): Promise<CfnTemplate> {
  const { App } = await import('aws-cdk-lib');
  const { ZohoTokenRefresherStack } = await import('../../infra/zoho-token-refresher-stack');
  const { DEFAULT_STACK_NAME } = await import('../../functions/aws/names');
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const app = new App({
    // The CDK's own template validation (a WASM module, most of a synth's time) is `cdk synth`'s
    // and the infra tests' job; the workshop only reads the resources.
    builtinCloudFormationValidation: false,
    context: {
      ...cdkJson.context,
      'aws:cdk:bundling-stacks': [],
      // Each resource's construct path (`…/Alarms/ExpiredTokens/Resource`): local alarm names.
      'aws:cdk:enable-path-metadata': true,
    },
  });
  const { refresher, change } = options;
  const stack = new ZohoTokenRefresherStack(
    app,
    DEFAULT_STACK_NAME,
    refresher === undefined ? {} : { refresher },
  );
  change?.(stack);
  return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
}

/** A hash of every file the template is made from, and of the CDK version that makes it. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const cdkPackage = join(PROJECT_ROOT, 'node_modules', 'aws-cdk-lib', 'package.json');
  for (const file of [join(PROJECT_ROOT, 'cdk.json'), cdkPackage]) hash.update(readFileSync(file));
  for (const folder of SOURCES) {
    const files = readdirSync(join(PROJECT_ROOT, folder), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts'))
      .sort();
    for (const name of files) {
      hash.update(`${folder}/${name}\0`);
      hash.update(readFileSync(join(PROJECT_ROOT, folder, name)));
    }
  }
  return hash.digest('hex').slice(0, 32);
}
