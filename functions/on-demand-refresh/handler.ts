/**
 * EventBridge "Zoho Token Rejected" (a consumer got a 401) → one deduplicated refresh. Wiring only:
 * configuration and clients are built once per container; the work is in functions/core.
 */
import { readRefresherConfig } from '../aws/config';
import { createObservability, observed } from '../aws/lambda-observability';
import { createRefresherDependencies } from '../aws/refresher';
import { createTokenRejectedHandler } from './token-rejected-handler';

const config = readRefresherConfig();
const observability = createObservability();
const deps = createRefresherDependencies(config, observability);

export const handler = observed(createTokenRejectedHandler(deps), observability);
