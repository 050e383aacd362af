/**
 * The functions' Log port: one JSON line per entry, in the shape Powertools Logger wrote before
 * (`level`, `message`, `timestamp`, `service`, the invocation's Lambda context, `sampling_rate`,
 * `xray_trace_id`, then the line's attributes), so log queries and metric filters did not change.
 * A logger of our own because Powertools Logger cost each function's cold start more than it does.
 * debug and info go to stdout, warn and error to stderr, as Powertools wrote them.
 */
import type { Context } from 'aws-lambda';
import type { Log } from '../core/ports';

/** Powertools' level names and their order; a line is written when its level reaches the threshold. */
const LEVELS = { TRACE: 6, DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;

/** A threshold: the least level a line needs to be written. */
export type LogLevel = keyof typeof LEVELS;

/** The level of a line the Log port writes. */
export type LineLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

const isLevel = (value: string): value is LogLevel => Object.hasOwn(LEVELS, value);

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The threshold from the environment: `POWERTOOLS_LOG_LEVEL` (Powertools' name, kept) or
 * `LOG_LEVEL`, INFO when unset or unknown, raised to Lambda's own log level (`AWS_LAMBDA_LOG_LEVEL`)
 * when that is stricter — Lambda drops the lines below it anyway.
 */
export function readLogLevel(env: Env = process.env): LogLevel {
  const asked = (env.POWERTOOLS_LOG_LEVEL || env.LOG_LEVEL || '').trim().toUpperCase();
  const level: LogLevel = isLevel(asked) ? asked : 'INFO';
  const lambda = (env.AWS_LAMBDA_LOG_LEVEL ?? '').trim().toUpperCase();
  const floor = lambda === 'FATAL' ? 'CRITICAL' : lambda;
  return isLevel(floor) && LEVELS[floor] > LEVELS[level] ? floor : level;
}

export interface JsonLogOptions {
  /** The `service` key of every line (the instance's, metrics-identity.ts). */
  readonly service: string;
  /** @default readLogLevel() */
  readonly level?: LogLevel;
  /** Where a line goes (one JSON document, no newline). @default stdout, or stderr for warn and error */
  readonly write?: (line: string, level: LineLevel) => void;
  /** @default the current time */
  readonly now?: () => Date;
  /** Lambda's X-Ray header of the running invocation. @default process.env._X_AMZN_TRACE_ID */
  readonly traceHeader?: () => string | undefined;
}

/** The invocation's keys, named as Powertools named them. */
interface LambdaKeys {
  readonly cold_start: boolean;
  readonly function_arn: string;
  readonly function_memory_size: string | number;
  readonly function_name: string;
  readonly function_request_id: string;
}

/** The keys every line starts with; a line's attribute of the same name never replaces them. */
const STANDARD_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
]);

const writeToStreams = (line: string, level: LineLevel): void => {
  const stream = level === 'WARN' || level === 'ERROR' ? process.stderr : process.stdout;
  stream.write(`${line}\n`);
};

/** JSON lines for the Log port, with the running invocation's Lambda context once `addContext` gave it. */
export class JsonLog implements Log {
  readonly #service: string;
  readonly #threshold: number;
  readonly #write: (line: string, level: LineLevel) => void;
  readonly #now: () => Date;
  readonly #traceHeader: () => string | undefined;
  #lambda: LambdaKeys | undefined;

  constructor(options: JsonLogOptions) {
    this.#service = options.service;
    this.#threshold = LEVELS[options.level ?? readLogLevel()];
    this.#write = options.write ?? writeToStreams;
    this.#now = options.now ?? (() => new Date());
    this.#traceHeader = options.traceHeader ?? (() => process.env._X_AMZN_TRACE_ID);
  }

  /** Puts the invocation's context on every line from now on (the middleware calls it per invocation). */
  addContext(context: Context, coldStart: boolean): void {
    this.#lambda = {
      cold_start: coldStart,
      function_arn: context.invokedFunctionArn,
      function_memory_size: context.memoryLimitInMB,
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
    };
  }

  debug(message: string, attributes?: Record<string, unknown>): void {
    this.#line('DEBUG', message, attributes);
  }

  info(message: string, attributes?: Record<string, unknown>): void {
    this.#line('INFO', message, attributes);
  }

  warn(message: string, attributes?: Record<string, unknown>): void {
    this.#line('WARN', message, attributes);
  }

  error(message: string, attributes?: Record<string, unknown>): void {
    this.#line('ERROR', message, attributes);
  }

  #line(level: LineLevel, message: string, attributes: Record<string, unknown> | undefined): void {
    if (LEVELS[level] < this.#threshold) return;
    const traceId = /Root=([^;]+)/.exec(this.#traceHeader() ?? '')?.[1];
    const line: Record<string, unknown> = {
      level,
      message,
      timestamp: this.#now().toISOString(),
      service: this.#service,
      ...this.#lambda,
      sampling_rate: 0,
      ...(traceId === undefined ? {} : { xray_trace_id: traceId }),
    };
    for (const [key, value] of Object.entries(attributes ?? {})) {
      if (!STANDARD_KEYS.has(key)) line[key] = value;
    }
    this.#write(serialise(line), level);
  }
}

/**
 * The line as JSON; logging never throws. Errors become `{ name, location, message, stack, … }` as
 * Powertools wrote them, bigints strings; attributes that cannot be written (a cycle) are replaced
 * by a note, so the line itself still goes out.
 */
function serialise(line: Record<string, unknown>): string {
  try {
    return JSON.stringify(line, replacer);
  } catch {
    const standard = Object.fromEntries(Object.entries(line).filter(([key]) => STANDARD_KEYS.has(key)));
    return JSON.stringify({ ...standard, log_error: 'the attributes of this line could not be serialised' });
  }
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  return value instanceof Error ? formatError(value) : value;
}

function formatError(error: Error): Record<string, unknown> {
  const { name, message, stack, cause } = error;
  const formatted: Record<string, unknown> = { name, location: codeLocation(stack), message, stack };
  if (cause !== undefined) formatted.cause = cause instanceof Error ? formatError(cause) : cause;
  // An error's own fields (a typed error's `code`) travel with it.
  for (const [key, value] of Object.entries(error)) {
    if (!['name', 'message', 'stack', 'cause'].includes(key)) formatted[key] = value;
  }
  return formatted;
}

/** `file:line` of the stack's first frame (`at f (file:1:2)` or `at file:1:2`), Powertools' `location`. */
function codeLocation(stack: string | undefined): string {
  for (const frame of stack?.split('\n') ?? []) {
    const match = /^\s*at (?:.*\()?([^()]+?):(\d+):\d+\)?$/.exec(frame);
    if (match) return `${match[1]}:${match[2]}`;
  }
  return '';
}
