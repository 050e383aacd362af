/**
 * Operators' commands (`zoho-tokens refresh|enable|revoke|doctor ID`, by direct Lambda Invoke) →
 * refresh, revoke or check one connection. Its own function, role and reserved concurrency: a storm
 * of consumer reports can never throttle an emergency revoke, and only this role may delete an
 * access-token secret. Wiring only: configuration and clients are built once per container.
 */
import { readRefresherConfig } from '../aws/config';
import { createObservability, observed } from '../aws/lambda-observability';
import { createRefresherDependencies } from '../aws/refresher';
import { createOperatorHandler } from './operator-handler';

const config = readRefresherConfig();
const observability = createObservability();
const deps = createRefresherDependencies(config, observability);

export const handler = observed(createOperatorHandler(deps), observability);
