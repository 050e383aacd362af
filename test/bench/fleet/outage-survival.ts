/**
 * How long an outage of Zoho's accounts server the deployed margin survives: 1,000 connections, all
 * in the failing data centre, 3 simulated hours, an outage from the first hour on of 5, 6, 7 …
 * minutes until one leaves a token expired. Connections fall due throughout the outage, so both ends
 * are met: one due as it starts (it waits the longest) and one due as it ends. Nothing else fails
 * here (no transient faults, no crashed sandbox): this measures the margin against the retry
 * schedule (the backoff and the Zoho budget's wait), not bad luck on top of an outage, which the
 * fleet runs have.
 */
import { fleetResult } from './fleet-report';
import { fleetScenario } from './fleet-scenario';
import { FleetWorld } from './fleet-world';
import { productSettings } from './product';
import type { ZohoOutage } from './sim-zoho';

export interface OutageSurvival {
  readonly kind: ZohoOutage['kind'];
  /** The longest outage (whole minutes) after which no token had expired. */
  readonly survivedMinutes: number;
  /** The first outage that expired tokens: its length and how many connections it expired. */
  readonly failedMinutes: number;
  readonly failedConnections: number;
}

const CONNECTIONS = 1_000;
const HOURS = 3;
const FIRST_MINUTES = 5;
const LAST_MINUTES = 30;

/** Lengthens the outage a minute at a time from FIRST_MINUTES until a token expires. */
export async function outageSurvival(kind: ZohoOutage['kind']): Promise<OutageSurvival> {
  let survived = 0;
  for (let minutes = FIRST_MINUTES; minutes <= LAST_MINUTES; minutes++) {
    const base = fleetScenario(CONNECTIONS);
    const scenario = fleetScenario(CONNECTIONS, {
      hours: HOURS,
      aws: { ...base.aws, faultRate: 0 },
      zoho: { ...base.zoho, faultRate: 0, tailShare: 0 },
      queue: { ...base.queue, duplicateRate: 0 },
      worker: { ...base.worker, crashRate: 0 },
      dcShares: { eu: 1 },
      outage: { dc: 'eu', atHour: 1, minutes, kind },
      revokedShare: 0,
      poisonConnections: 0,
    });
    const world = new FleetWorld(scenario, productSettings(CONNECTIONS));
    const loop = await world.run(() => {});
    const result = fleetResult(world, loop, 0);
    if (result.connectionsExpired > 0) {
      return {
        kind,
        survivedMinutes: survived,
        failedMinutes: minutes,
        failedConnections: result.connectionsExpired,
      };
    }
    survived = minutes;
  }
  return { kind, survivedMinutes: survived, failedMinutes: Number.NaN, failedConnections: 0 };
}
