/**
 * The declarations' relative imports, completed so that `node16`/`nodenext` projects resolve them.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeSpecifiers, UnresolvedDeclarationImportError } from '../../../build/declarations';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'declarations-'));
  await mkdir(join(dir, 'core'), { recursive: true });
  await mkdir(join(dir, 'consumer'), { recursive: true });
  for (const file of ['core/errors.d.ts', 'core/index.d.ts', 'consumer/token.d.ts']) {
    await writeFile(join(dir, file), 'export {};\n');
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('completeSpecifiers', () => {
  it('completes files with .js and folders with /index.js, and leaves packages and complete paths', () => {
    // Prepare
    const file = join(dir, 'consumer', 'index.d.ts');
    const text = [
      "export { ZohoTokenRefresherError } from '../core/errors';",
      'export type { Token } from "./token";',
      "export * from '../core';",
      "import type { MiddlewareObj } from '@middy/core';",
      "export declare const reader: import('./token').Token;",
      "export { done } from './token.js';",
    ].join('\n');

    // Act
    const completed = completeSpecifiers(file, text);

    // Assess
    expect(completed.split('\n')).toEqual([
      "export { ZohoTokenRefresherError } from '../core/errors.js';",
      'export type { Token } from "./token.js";',
      "export * from '../core/index.js';",
      "import type { MiddlewareObj } from '@middy/core';",
      "export declare const reader: import('./token.js').Token;",
      "export { done } from './token.js';",
    ]);
  });

  it('refuses a specifier that names no declaration file', () => {
    // Prepare
    const file = join(dir, 'consumer', 'index.d.ts');

    // Act
    const act = () => completeSpecifiers(file, "export * from './missing';");

    // Assess
    expect(act).toThrow(UnresolvedDeclarationImportError);
  });
});
