#!/usr/bin/env node
// The workshop's CLI (`npm run local -- …`, `npm start`): TypeScript run from the clone through tsx.
import { register } from 'tsx/esm/api';

// Under Node 20 the AWS SDK prints a nine-line NodeVersionSupportWarning on every command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
