/**
 * The `.d.ts` files of the package. The sources import each other without extensions
 * (`moduleResolution: Bundler`), which TypeScript copies into the declarations; a user's project
 * under `node16`/`nodenext` resolves only full paths there (TS2834/TS2835). So every relative
 * specifier of the emitted declarations is completed with the file it names: `./x` → `./x.js`,
 * `./dir` → `./dir/index.js`.
 */
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** `from './x'`, `import('./x')`, `export * from '../x'` — a relative specifier in quotes. */
const RELATIVE_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*)(['"])(\.{1,2}(?:\/[^'"]*)?)\2/g;

/** A relative specifier of a declaration file that names no emitted declaration. */
export class UnresolvedDeclarationImportError extends Error {
  constructor(file: string, specifier: string) {
    super(`${file}: '${specifier}' names no emitted declaration file`);
    this.name = new.target.name;
  }
}

/** The specifier completed with `.js` or `/index.js`, whichever declaration exists. */
export function completeSpecifier(fromFile: string, specifier: string): string {
  if (/\.(c|m)?js$/.test(specifier)) return specifier;
  const target = join(dirname(fromFile), specifier);
  if (existsSync(`${target}.d.ts`)) return `${specifier}.js`;
  if (existsSync(join(target, 'index.d.ts'))) return `${specifier}/index.js`;
  throw new UnresolvedDeclarationImportError(fromFile, specifier);
}

/** Completes the relative specifiers of one declaration file's text. */
export function completeSpecifiers(file: string, text: string): string {
  return text.replace(
    RELATIVE_SPECIFIER,
    (_match, lead: string, quote: string, specifier: string) =>
      `${lead}${quote}${completeSpecifier(file, specifier)}${quote}`,
  );
}

/** Completes every `.d.ts` under `dir`, in place. */
export async function completeDeclarationSpecifiers(dir: string): Promise<number> {
  const files = (await readdir(dir, { recursive: true })).filter((name) => name.endsWith('.d.ts'));
  for (const name of files) {
    const file = join(dir, name);
    await writeFile(file, completeSpecifiers(file, await readFile(file, 'utf8')));
  }
  return files.length;
}

/**
 * The same declarations as CommonJS-format files, for the `require` condition: a
 * `{"type":"commonjs"}` package.json above them makes TypeScript read them as such (the package
 * itself is `"type": "module"`), so a CommonJS project's `require` matches its types.
 */
export async function copyAsCommonJs(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
  await writeFile(join(to, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
}
