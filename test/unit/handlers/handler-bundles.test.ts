/**
 * What each function's bundle holds, so that a cold start's weight cannot creep back unnoticed
 * (`npm run bench -- --only cold-start` measures it): no Powertools and no middy in any handler, and
 * in the planner's none of the clients it never calls nor the Zoho adapter. The handlers are
 * bundled here with the build's own options (build/handler-bundling.ts), without writing the output.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { HANDLERS, handlerBuildOptions } from '../../../build/handler-bundling';

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The packages (`@scope/name` or `name`) and our own folders (`functions/zoho`) a bundle's code comes from. */
async function contentsOf(handler: string): Promise<Set<string>> {
  const result = await build({
    ...handlerBuildOptions({
      entry: `functions/${handler}/handler.ts`,
      outdir: 'unwritten',
      root: PACKAGE_ROOT,
    }),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const contents = new Set<string>();
  // What reached the output: the inputs list every file read, tree-shaken ones included.
  const output = Object.values(result.metafile.outputs).find((file) => file.entryPoint !== undefined);
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    if (bytesInOutput === 0) continue;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
    contents.add(pkg ?? input.split('/').slice(0, 2).join('/'));
  }
  return contents;
}

describe('handler bundles', () => {
  it.each(HANDLERS)('%s holds no Powertools and no middy', async (handler) => {
    // Act
    const contents = await contentsOf(handler);

    // Assess
    const heavy = [...contents].filter(
      (name) => name.startsWith('@aws-lambda-powertools/') || name.startsWith('@middy/'),
    );
    expect(heavy).toEqual([]);
    expect(contents).toContain('functions/aws');
  });

  it('planner holds only the DynamoDB and SQS clients and none of the Zoho adapter', async () => {
    // Act
    const contents = await contentsOf('planner');

    // Assess
    expect([...contents].filter((name) => name.startsWith('@aws-sdk/client-')).sort()).toEqual([
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-sqs',
    ]);
    expect(contents).not.toContain('functions/zoho');
  });
});
