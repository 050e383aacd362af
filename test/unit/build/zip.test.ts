/**
 * The zip the package ships each handler in: read back by another implementation (Python's
 * zipfile), byte for byte, with the permissions Lambda needs, and the same bytes for the same input.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zip } from '../../../build/zip';

const execFileAsync = promisify(execFile);

/** Python prints each entry's name, mode, size and content (hex) as JSON. */
const READ_BACK = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    assert z.testzip() is None
    print(json.dumps([[i.filename, oct(i.external_attr >> 16), i.file_size, z.read(i).hex()] for i in z.infolist()]))
`;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zip-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('zip', () => {
  it('writes an archive another reader extracts exactly, as rw-r--r-- files', async () => {
    // Prepare
    const bundle = Buffer.from(`export const handler = async () => ${'1 + '.repeat(500)}1;\n`);
    const map = Buffer.from('{"version":3,"sources":[],"mappings":""}');
    const file = join(dir, 'handler.zip');

    // Act
    await writeFile(
      file,
      zip([
        { name: 'index.mjs', data: bundle },
        { name: 'index.mjs.map', data: map },
      ]),
    );
    const { stdout } = await execFileAsync('python3', ['-c', READ_BACK, file]);

    // Assess
    expect(JSON.parse(stdout)).toEqual([
      ['index.mjs', '0o100644', bundle.length, bundle.toString('hex')],
      ['index.mjs.map', '0o100644', map.length, map.toString('hex')],
    ]);
  });

  it('gives the same bytes for the same files (the asset hash changes only with the code)', () => {
    // Prepare
    const entries = [{ name: 'index.mjs', data: Buffer.from('export const handler = 1;') }];

    // Act
    const first = zip(entries);
    const second = zip(entries);

    // Assess
    expect(second.equals(first)).toBe(true);
  });
});
