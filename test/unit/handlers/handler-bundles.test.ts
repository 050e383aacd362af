/**
 * What each function's bundle holds, so that a cold start's weight cannot creep back unnoticed
 * (`npm run bench -- --only cold-start` measures it): no Powertools and no middy in any handler, and
 * in the planner's none of the clients it never calls nor the Zoho adapter. The handlers are
 * bundled here as the construct bundles them (esbuild, ESM, node), without writing the output.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HANDLERS = ['planner', 'refresh-worker', 'on-demand-refresh', 'operator'] as const;

/** The packages (`@scope/name` or `name`) and our own folders (`functions/zoho`) a bundle's code comes from. */
async function contentsOf(handler: string): Promise<Set<string>> {
  const result = await build({
    absWorkingDir: PACKAGE_ROOT,
    entryPoints: [`functions/${handler}/handler.ts`],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    outdir: 'unwritten',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const contents = new Set<string>();
  // What reached the output: the inputs list every file read, tree-shaken ones included.
  const [output] = Object.values(result.metafile.outputs);
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
