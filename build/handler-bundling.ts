/**
 * How every Lambda handler of the project is bundled, in one place: `npm run build` pre-builds the
 * handlers the package ships with these options, the construct bundles them at synth with the same
 * options when it runs from a clone (no `dist/`), and the cold-start benchmark measures the result.
 *
 * esbuild types only: importing this module runs no bundler, so the construct can carry it.
 */
import type { BuildOptions } from 'esbuild';

/**
 * The handler folders under `functions/` (each holds `handler.ts`) the construct deploys. The
 * example consumer is not one: only this project's own stack adds it, from a clone's sources.
 */
export const HANDLERS = ['planner', 'refresh-worker', 'on-demand-refresh', 'operator', 'connect'] as const;

export type HandlerName = (typeof HANDLERS)[number];

/** The bundle's file in its folder; Lambda's `handler` setting is `index.handler`. */
export const HANDLER_BUNDLE_FILE = 'index.mjs';

/**
 * ESM output: the package is ESM, and ESM keeps top-level await open to the handlers. Some CommonJS
 * dependencies bundled with them still call `require` (the AWS SDK's optional modules), which ESM
 * lacks, so the banner recreates it.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);";

export interface HandlerBundleOptions {
  /** Entry file (`functions/<name>/handler.ts`, or any other handler source). */
  readonly entry: string;
  /** Folder that receives `index.mjs` and its map. */
  readonly outdir: string;
  /** The package root (a clone), where `functions/aws/source-mapped-stacks.ts` lies. */
  readonly root: string;
  /**
   * Put the source-mapped stack traces module ahead of the code. @default true. The cold-start
   * benchmark's floors (only the SDK clients) leave it out.
   */
  readonly sourceMappedStacks?: boolean;
}

/** The esbuild options of one handler bundle. */
export function handlerBuildOptions(options: HandlerBundleOptions): BuildOptions {
  return {
    entryPoints: [options.entry],
    outfile: `${options.outdir}/${HANDLER_BUNDLE_FILE}`,
    absWorkingDir: options.root,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    // Error classes name themselves (`new.target.name`) and logs and metrics carry those names:
    // minified, ConfigurationError would log as `Kr`. Stack frames keep the functions' names too.
    keepNames: true,
    // Stack traces point into the TypeScript sources without `--enable-source-maps`, which parses
    // the whole map at every cold start: the injected module reads it only when a stack is formatted.
    sourcemap: true,
    // Sources' paths and positions are all a stack trace needs; their text would triple the map.
    sourcesContent: false,
    inject:
      options.sourceMappedStacks === false ? [] : [`${options.root}/functions/aws/source-mapped-stacks.ts`],
    // Bundle the AWS SDK too: a pinned, tested SDK instead of whatever the runtime ships.
    external: [],
    logLevel: 'warning',
  };
}
