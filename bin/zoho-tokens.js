#!/usr/bin/env node
// The CLI is TypeScript; tsx compiles it on the fly so the package runs from source on Node 20 and 22.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
