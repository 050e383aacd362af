#!/usr/bin/env node
// The installed package runs the built CLI (dist/cli, made by `npm run build` before packing).
// A clone has the sources and no build: there tsx compiles them on the fly, so a change to the
// CLI never runs stale. tsx is a development dependency and never loaded from the package.
import { existsSync } from 'node:fs';

const sources = new URL('../cli/main.ts', import.meta.url);
if (existsSync(sources)) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import(sources.href);
  process.exitCode = await main(process.argv.slice(2));
} else {
  await import('../dist/cli/entry.js');
}
