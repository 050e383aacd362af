/**
 * The operator CLI is shipped and the workshop (dev/) is not: nothing under cli/ may import from
 * dev/, not even a type (a declaration file would then name a module the package lacks).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Every .ts file under `dir`, relative to the project root. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(dir, file));
}

/** The relative module specifiers of `file`'s static imports, re-exports and dynamic imports. */
function specifiers(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map(
    (match) => match[1] ?? '',
  );
}

describe('the operator CLI and the workshop', () => {
  it('cli/ imports nothing from dev/', () => {
    // Prepare
    const files = sources('cli');

    // Act
    const intoDev = files.flatMap((file) =>
      specifiers(file)
        .map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)))
        .filter((target) => target === 'dev' || target.startsWith('dev/'))
        .map((target) => `${file} → ${target}`),
    );

    // Assess
    expect(files.length).toBeGreaterThan(20);
    expect(intoDev).toEqual([]);
  });
});
