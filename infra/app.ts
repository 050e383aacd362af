/**
 * Entry of the CDK app (`cdk.json` → `npx tsx infra/app.ts`). Settings come from CDK context; see
 * `infra/app-context.ts` and the "Settings" of README.md (The construct in your stack).
 */
import { createApp } from './create-app';

createApp().app.synth();
