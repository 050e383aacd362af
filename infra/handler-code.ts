/**
 * The code of a handler: the bundle pre-built by `npm run build` when the construct runs from the
 * installed package (so a user's synth needs neither esbuild nor the handlers' dependencies), else,
 * in a clone, the handler's sources bundled at synth with the same options (never a stale build).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HANDLER_BUNDLE_FILE, handlerBuildOptions } from '../build/handler-bundling';
import { ConfigurationError } from '../functions/core/errors';

/** This module's folder: `infra/` in a clone, `dist/infra/` in the package. */
const HERE = dirname(fileURLToPath(import.meta.url));

/** The clone's root, where `functions/` lies (in the package this path holds no sources). */
export const SOURCE_ROOT = resolve(HERE, '..');

/** Pre-built bundles: `dist/handlers/<name>.zip` (`index.mjs` and its map), beside `dist/infra/`. */
export const PREBUILT_HANDLERS = resolve(HERE, '..', 'handlers');

/** Lambda's `handler` setting for every bundle. */
export const HANDLER = `${HANDLER_BUNDLE_FILE.replace(/\.mjs$/, '')}.handler`;

/** The code of the handler in `functions/<name>/handler.ts`. */
export function handlerCode(name: string): lambda.Code {
  // A zip is deployed as it is: nothing to bundle or to package at synth.
  const prebuilt = join(PREBUILT_HANDLERS, `${name}.zip`);
  if (existsSync(prebuilt)) return lambda.Code.fromAsset(prebuilt);
  const entry = join(SOURCE_ROOT, 'functions', name, 'handler.ts');
  if (!existsSync(entry)) {
    // Neither is there: a broken install (a clone always has the sources).
    throw new ConfigurationError(
      `ZohoTokenRefresher: no code for the ${name} function (neither ${prebuilt} nor ${entry}); reinstall the package`,
    );
  }
  return bundledAtSynth(entry);
}

/**
 * A handler source bundled by esbuild while CDK synthesizes (skipped, as for any asset, where the
 * context `aws:cdk:bundling-stacks` excludes the stack). Used in a clone, and by the benchmarks.
 */
export function bundledAtSynth(entry: string, options: { sourceMappedStacks?: boolean } = {}): lambda.Code {
  return lambda.Code.fromAsset(dirname(entry), {
    // The bundle, not the folder, decides the hash: a change in any imported module redeploys.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling always succeeds or throws, and a clone has esbuild.
      image: DockerImage.fromRegistry('unused-local-bundling'),
      local: {
        tryBundle(outdir) {
          // Loaded here, not imported: the installed package uses pre-built bundles and has no esbuild.
          const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
          esbuild.buildSync(handlerBuildOptions({ entry, outdir, root: SOURCE_ROOT, ...options }));
          return true;
        },
      },
    },
  });
}
