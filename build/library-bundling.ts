/**
 * How the package's importable entries (`./consumer`, `./infra`) are built: one ESM and one
 * CommonJS file each, our own modules bundled in and every package left external (they are the
 * package's dependencies and peers, resolved in the user's project).
 */

/**
 * Leaves every package external and side-effect free: an import whose bindings the entry never
 * uses is dropped. The construct takes constants from modules beside the adapters
 * (`CONNECTION_ID_TAG` of the token vault, …); without this their SDK clients and Powertools
 * would stay imported, and so be needed, by a CDK app that never runs them.
 */
const packagesExternalWithoutSideEffects: Plugin = {
  name: 'packages-external-without-side-effects',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => ({
      path: args.path,
      external: true,
      sideEffects: false,
    }));
  },
};

import type { BuildOptions, Plugin } from 'esbuild';

/** An importable entry of the package: its source and its folder under `dist/`. */
export interface LibraryEntry {
  readonly source: string;
  readonly outdir: string;
}

/** `exports` of package.json, by subpath. */
export const LIBRARY_ENTRIES: Readonly<Record<string, LibraryEntry>> = {
  './consumer': { source: 'functions/consumer/index.ts', outdir: 'dist/consumer' },
  './infra': { source: 'infra/zoho-token-refresher.ts', outdir: 'dist/infra' },
};

/**
 * `import.meta.url` in the CommonJS build: esbuild leaves `import.meta` empty there, and the
 * construct finds its pre-built handlers from it.
 */
const CJS_IMPORT_META_URL = "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;";

/** The esbuild options of one entry in one module format. */
export function libraryBuildOptions(root: string, entry: LibraryEntry, format: 'esm' | 'cjs'): BuildOptions {
  return {
    entryPoints: [entry.source],
    outfile: `${entry.outdir}/index.${format === 'esm' ? 'js' : 'cjs'}`,
    absWorkingDir: root,
    bundle: true,
    plugins: [packagesExternalWithoutSideEffects],
    platform: 'node',
    // What package.json's engines allow.
    target: 'node20.19',
    format,
    // Not minified: a library's stack traces and debugging belong to its users. Names kept, as
    // errors name themselves after their class.
    keepNames: true,
    ...(format === 'cjs'
      ? { banner: { js: CJS_IMPORT_META_URL }, define: { 'import.meta.url': '__importMetaUrl' } }
      : {}),
    metafile: true,
    logLevel: 'warning',
  };
}
