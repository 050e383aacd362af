#!/usr/bin/env node
// The CLI is TypeScript; tsx compiles it on the fly so the package runs from source on Node 20 and 22.
import { register } from 'tsx/esm/api';

// Under Node 20 the AWS SDK prints a nine-line NodeVersionSupportWarning on every command;
// `zoho-tokens doctor` reports the Node version instead. An explicit setting still wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
