/**
 * How the operator CLI is built: `cli/entry.ts` (help pages from a manifest) and `cli/main.ts`
 * (the commands) bundled with code splitting, the AWS SDK included, so that the package needs no
 * SDK client as a dependency and `zoho-tokens --help` loads none of it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import type { CommandInfo } from '../cli/command';

/** Written beside the entry, read by it: every command's help (all of a command but its code). */
export const COMMANDS_MANIFEST = 'commands.json';

/** Recreates `require` in the ESM chunks for the CommonJS modules bundled into them. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);";

/** A module the help path loads that it must not: the help would no longer start fast. */
export class HelpLoadsCommandsError extends Error {
  constructor(inputs: readonly string[]) {
    super(`the CLI's help path loads ${inputs.slice(0, 5).join(', ')}${inputs.length > 5 ? ', …' : ''}`);
    this.name = new.target.name;
  }
}

/** Builds the CLI into `outdir`: `entry.js`, `main.js`, their shared chunks and the manifest. */
export async function buildCli(root: string, outdir: string): Promise<void> {
  const result = await build({
    entryPoints: { entry: 'cli/entry.ts', main: 'cli/main.ts' },
    outdir,
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    // Errors name themselves after their class, and the CLI's hints are chosen by that class.
    keepNames: true,
    metafile: true,
    logLevel: 'warning',
  });
  const heavy = helpPathInputs(result.metafile, join(outdir, 'entry.js'), root).filter(
    (input) => input.includes('node_modules/') || input.startsWith('cli/commands/'),
  );
  if (heavy.length > 0) throw new HelpLoadsCommandsError(heavy);
  // Loaded at build time only: the commands' specs, with the SDK behind them.
  const { COMMANDS } = (await import('../cli/main')) as { COMMANDS: readonly CommandInfo[] };
  await writeFile(join(outdir, COMMANDS_MANIFEST), commandsManifest(COMMANDS));
}

/** The manifest's text: every command's spec without its code (`run`). */
export function commandsManifest(commands: readonly CommandInfo[]): string {
  const infos = commands.map((spec) => {
    const { run: _run, ...info } = spec as CommandInfo & { run?: unknown };
    return info;
  });
  return `${JSON.stringify(infos)}\n`;
}

/** The source files of every chunk the entry loads before its first dynamic import. */
export function helpPathInputs(metafile: Metafile, entryFile: string, root: string): string[] {
  const relative = (file: string) => (file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file);
  const seen = new Set<string>();
  const pending = [relative(entryFile)];
  for (let chunk = pending.pop(); chunk !== undefined; chunk = pending.pop()) {
    if (seen.has(chunk)) continue;
    seen.add(chunk);
    for (const imported of metafile.outputs[chunk]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) pending.push(imported.path);
    }
  }
  return [...seen].flatMap((chunk) => Object.keys(metafile.outputs[chunk]?.inputs ?? {}));
}
