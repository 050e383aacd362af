/**
 * EventBridge schedule (every minute) → one planner run: the next minute's due connections go to the
 * refresh queue, each held back until it is due. Wiring only: configuration and clients are built
 * once per container; the work is `planRefreshes` in functions/core.
 */
import { readRefresherConfig } from '../aws/config';
import { createObservability, observed } from '../aws/lambda-observability';
import { createPlannerDependencies } from '../aws/planner-wiring';
import { createPlannerHandler } from './planner-handler';

const config = readRefresherConfig();
const observability = createObservability();
const deps = createPlannerDependencies(config, observability);

export const handler = observed(createPlannerHandler(deps), observability);
