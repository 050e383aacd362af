/**
 * Entry of the CDK app (`cdk.json` → `npx tsx infra/app.ts`). Settings come from CDK context; see
 * `infra/app-context.ts` and the "Deploying" section of README.md.
 */
import { createApp } from './create-app';

createApp().app.synth();
