/**
 * What a fleet costs per connection and month, from what the simulation counted. Prices: AWS list
 * prices, us-east-1, as of December 2026, before any free tier (the price list):
 *   Secrets Manager  $0.40 per secret-month; $0.05 per 10,000 API calls
 *   DynamoDB         on demand: $0.625 per million write request units, $0.125 per million read
 *   KMS              $0.03 per 10,000 requests
 *   Lambda (arm64)   $0.0000133334 per GB-second; $0.20 per million requests
 *   SQS (standard)   $0.40 per million requests (each 64 KB of a payload is one request)
 *   EventBridge      $1.00 per million custom events (PutEvents entries)
 * A month is 30 days: the simulated hours are scaled by 720 / hours.
 */
import type { AwsApi, AwsMeter } from './aws-calls';
import type { FleetWorld } from './fleet-world';

export const PRICES = {
  secretPerMonth: 0.4,
  secretsManagerPerCall: 0.05 / 10_000,
  dynamoDbPerWriteUnit: 0.625 / 1_000_000,
  dynamoDbPerReadUnit: 0.125 / 1_000_000,
  kmsPerRequest: 0.03 / 10_000,
  lambdaPerGbSecond: 0.000_013_333_4,
  lambdaPerRequest: 0.2 / 1_000_000,
  sqsPerRequest: 0.4 / 1_000_000,
  eventBridgePerEvent: 1 / 1_000_000,
} as const;

/** One line of the bill: what was counted in a month, the arithmetic, and the dollars. */
export interface CostLine {
  readonly item: string;
  readonly arithmetic: string;
  readonly usdPerMonth: number;
}

/** Long-polling pollers return every 20 s when the queue is empty: 3 requests per minute each. */
const IDLE_POLLS_PER_POLLER_MINUTE = 3;

export function fleetCost(world: FleetWorld): { lines: CostLine[]; perConnectionMonth: number } {
  const { scenario, worker, planner, mapping } = world;
  const month = 720 / scenario.hours;
  const meters: AwsMeter[] = [worker.meter, planner.meter];
  const requests = (api: AwsApi) => meters.reduce((sum, meter) => sum + meter.requests[api], 0) * month;
  const n = scenario.connections;
  const secretCalls = requests('secretsmanager.GetSecretValue') + requests('secretsmanager.PutSecretValue');
  const writeUnits = meters.reduce((sum, meter) => sum + meter.writeUnits, 0) * month;
  const readUnits = meters.reduce((sum, meter) => sum + meter.readUnits, 0) * month;
  const kmsOwn = requests('kms.Decrypt') + requests('kms.Encrypt');
  // Secrets Manager calls KMS once per PutSecretValue (a data key) and GetSecretValue (decrypt) on
  // the secret's key: an upper bound (it may reuse data keys).
  const kmsBySecretsManager = secretCalls;
  const gbSeconds = (worker.gbSeconds + planner.gbSeconds) * month;
  const invocations = (worker.invocations + planner.invocations) * month;
  const sqsSends = requests('sqs.SendMessageBatch');
  const idlePolls = scenario.worker.idlePollers * IDLE_POLLS_PER_POLLER_MINUTE * 60 * 720;
  const sqsReceives = mapping.receiveRequests * month + mapping.deleteRequests * month;
  const events = requests('events.PutEvents') + world.plannerRuns * month;
  const m = (value: number) => Math.round(value).toLocaleString('en');
  const lines: CostLine[] = [
    {
      item: 'Secrets Manager secrets',
      arithmetic: `${m(n)} access-token secrets + 1 client app × $0.40`,
      usdPerMonth: (n + 1) * PRICES.secretPerMonth,
    },
    {
      item: 'Secrets Manager API',
      arithmetic: `${m(secretCalls)} GetSecretValue + PutSecretValue × $0.05/10k`,
      usdPerMonth: secretCalls * PRICES.secretsManagerPerCall,
    },
    {
      item: 'DynamoDB',
      arithmetic: `${m(writeUnits)} WRU × $0.625/M + ${m(readUnits)} RRU × $0.125/M`,
      usdPerMonth: writeUnits * PRICES.dynamoDbPerWriteUnit + readUnits * PRICES.dynamoDbPerReadUnit,
    },
    {
      item: 'KMS',
      arithmetic: `(${m(kmsOwn)} Decrypt/Encrypt + ≤ ${m(kmsBySecretsManager)} by Secrets Manager) × $0.03/10k`,
      usdPerMonth: (kmsOwn + kmsBySecretsManager) * PRICES.kmsPerRequest,
    },
    {
      item: 'Lambda',
      arithmetic: `${m(gbSeconds)} GB-s × $0.0000133334 + ${m(invocations)} requests × $0.20/M`,
      usdPerMonth: gbSeconds * PRICES.lambdaPerGbSecond + invocations * PRICES.lambdaPerRequest,
    },
    {
      item: 'SQS',
      arithmetic: `(${m(sqsSends)} SendMessageBatch + ${m(sqsReceives)} receives and deletes + ${m(idlePolls)} idle long polls) × $0.40/M`,
      usdPerMonth: (sqsSends + sqsReceives + idlePolls) * PRICES.sqsPerRequest,
    },
    {
      item: 'EventBridge',
      arithmetic: `${m(events)} events (refresher events + planner schedule) × $1/M`,
      usdPerMonth: events * PRICES.eventBridgePerEvent,
    },
  ];
  const total = lines.reduce((sum, line) => sum + line.usdPerMonth, 0);
  return { lines, perConnectionMonth: total / n };
}
