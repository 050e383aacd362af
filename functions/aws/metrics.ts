/**
 * The Metrics port as CloudWatch embedded metric format (EMF): JSON documents on stdout, which
 * CloudWatch Logs turns into metrics. The documents are those Powertools Metrics wrote before (same
 * keys, dimensions and arrays of values), so alarms, dashboards and log queries did not change; a
 * writer of our own because Powertools Metrics cost each function's cold start more than it does.
 */
import type { MetricName, Metrics, MetricUnit } from '../core/ports';
import { type MetricsIdentity, readMetricsIdentity } from './metrics-identity';
import { REASON_DIMENSION } from './names';

/** Dimension of the cold-start metric: which function started. */
export const FUNCTION_NAME_DIMENSION = 'function_name';

/** Counted once per container, on its first invocation. */
export const COLD_START_METRIC = 'ColdStart';

/**
 * CloudWatch takes at most 100 metrics in one document and 100 values of one metric: at either
 * limit the stored data points go out first.
 */
const MAX_METRICS_PER_DOCUMENT = 100;
const MAX_VALUES_PER_METRIC = 100;

export interface EmfMetricsOptions {
  /** Where a document goes (one JSON line, no newline). @default stdout */
  readonly write?: (line: string) => void;
  /** The documents' timestamp, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

interface Stored {
  readonly unit: MetricUnit;
  readonly values: number[];
}

/**
 * The Metrics port. Every data point is stored under the `service` dimension only, so an alarm needs
 * one metric per name whatever the reasons, and goes out with the others of the invocation at
 * `flush()` (the handler's middleware, lambda-observability.ts). With a reason it is ALSO written at
 * once as a document of its own with a `reason` dimension, so a dashboard can split failures by reason.
 */
export class EmfMetrics implements Metrics {
  readonly #identity: MetricsIdentity;
  readonly #write: (line: string) => void;
  readonly #now: () => number;
  readonly #stored = new Map<string, Stored>();

  constructor(identity: MetricsIdentity = readMetricsIdentity(), options: EmfMetricsOptions = {}) {
    this.#identity = identity;
    this.#write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.#now = options.now ?? Date.now;
  }

  add(name: MetricName, value: number, unit: MetricUnit, reason?: string): void {
    this.#store(name, value, unit);
    if (reason === undefined || reason === '') return;
    this.#emit({ [REASON_DIMENSION]: reason }, [[name, { unit, values: [value] }]]);
  }

  /** The cold-start count, at once, with the function's name as a dimension (as Powertools wrote it). */
  addColdStart(functionName: string): void {
    this.#emit({ [FUNCTION_NAME_DIMENSION]: functionName }, [
      [COLD_START_METRIC, { unit: 'Count', values: [1] }],
    ]);
  }

  /** Writes the stored data points as one document, if there are any, and forgets them. */
  flush(): void {
    if (this.#stored.size === 0) return;
    const metrics = [...this.#stored];
    this.#stored.clear();
    this.#emit({}, metrics);
  }

  #store(name: string, value: number, unit: MetricUnit): void {
    const known = this.#stored.get(name);
    if (known !== undefined && known.unit === unit) {
      known.values.push(value);
      if (known.values.length >= MAX_VALUES_PER_METRIC) this.flush();
      return;
    }
    // A name already stored in another unit cannot share its document.
    if (known !== undefined || this.#stored.size >= MAX_METRICS_PER_DOCUMENT) this.flush();
    this.#stored.set(name, { unit, values: [value] });
  }

  #emit(
    dimensions: Readonly<Record<string, string>>,
    metrics: ReadonlyArray<readonly [string, Stored]>,
  ): void {
    const values: Record<string, number | number[]> = {};
    for (const [name, { values: points }] of metrics) {
      values[name] = points.length === 1 ? (points[0] as number) : points;
    }
    const document = {
      _aws: {
        Timestamp: this.#now(),
        CloudWatchMetrics: [
          {
            Namespace: this.#identity.namespace,
            Dimensions: [['service', ...Object.keys(dimensions)]],
            Metrics: metrics.map(([name, { unit }]) => ({ Name: name, Unit: unit })),
          },
        ],
      },
      service: this.#identity.service,
      ...dimensions,
      ...values,
    };
    this.#write(JSON.stringify(document));
  }
}
