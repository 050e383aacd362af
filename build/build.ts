/**
 * `npm run build`: everything the package ships, into `dist/` (made afresh):
 * - `dist/handlers/<name>.zip` — the Lambda bundles (`index.mjs` and its map) the construct deploys;
 * - `dist/consumer`, `dist/infra` — the importable entries, ESM and CommonJS;
 * - `dist/cli` — the operator CLI, split so that `--help` loads no AWS SDK;
 * - `dist/types`, `dist/types-cjs` — the declarations, for `import` and for `require`.
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildCli } from './cli-bundling';
import { completeDeclarationSpecifiers, copyAsCommonJs } from './declarations';
import { HANDLERS, handlerBuildOptions } from './handler-bundling';
import { LIBRARY_ENTRIES, libraryBuildOptions } from './library-bundling';
import { zip } from './zip';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

async function main(): Promise<void> {
  const started = performance.now();
  await rm(DIST, { recursive: true, force: true });
  await Promise.all([
    ...HANDLERS.map((name) => buildHandler(name)),
    ...Object.values(LIBRARY_ENTRIES).flatMap((entry) =>
      (['esm', 'cjs'] as const).map((format) => build(libraryBuildOptions(ROOT, entry, format))),
    ),
    buildCli(ROOT, join(DIST, 'cli')),
  ]);
  // tsc 7 emits declarations itself; its binary is the project's own.
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  const declarations = await completeDeclarationSpecifiers(join(DIST, 'types'));
  await copyAsCommonJs(join(DIST, 'types'), join(DIST, 'types-cjs'));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `dist/: ${HANDLERS.length} handler bundles, ${Object.keys(LIBRARY_ENTRIES).length} entries (ESM + CommonJS), the CLI, ${declarations} declaration files (${seconds} s)\n`,
  );
}

/** One handler bundle, zipped as Lambda deploys it. */
async function buildHandler(name: string): Promise<void> {
  const staging = join(DIST, 'handlers', `.${name}`);
  await build(
    handlerBuildOptions({ entry: join(ROOT, 'functions', name, 'handler.ts'), outdir: staging, root: ROOT }),
  );
  const files = (await readdir(staging)).sort();
  const entries = await Promise.all(
    files.map(async (file) => ({ name: file, data: await readFile(join(staging, file)) })),
  );
  await writeFile(join(DIST, 'handlers', `${name}.zip`), zip(entries));
  await rm(staging, { recursive: true });
}

await main();
