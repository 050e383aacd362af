/**
 * The connect endpoint (Lambda Function URL, auth NONE: the customer's browser calls it) →
 * `GET /connect` and `GET /callback` of the hosted Zoho consent flow. Wiring only: configuration
 * and clients are built once per container. The event is never logged: its query holds the link's
 * state and Zoho's code.
 */
import { readRefresherConfig } from '../aws/config';
import { createConnectDependencies } from '../aws/connect-wiring';
import { createObservability, observed } from '../aws/lambda-observability';
import { ENV } from '../aws/names';
import { createConnectHandler } from './connect-handler';

const config = readRefresherConfig();
const observability = createObservability();
const baseUrl = process.env[ENV.connectBaseUrl] || undefined;
const deps = createConnectDependencies(config, {
  ...observability,
  ...(baseUrl === undefined ? {} : { baseUrl }),
});

export const handler = observed(createConnectHandler(deps), observability);
