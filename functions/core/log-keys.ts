/**
 * A Log that puts the same keys on every line: what correlates one invocation's lines (the report's
 * request id, the event id) without a logger shared by concurrent invocations having to be set and
 * reset around each one (the CLI's `local drain` runs ten reports at once on one set of ports).
 */
import type { Log } from './ports';

/**
 * `log` with `keys` added to every line's attributes. A line's own attribute of the same name wins:
 * the keys correlate, they never overwrite what a line says.
 */
export function withLogKeys(log: Log, keys: Readonly<Record<string, unknown>>): Log {
  if (Object.keys(keys).length === 0) return log;
  const line =
    (write: Log['info']) =>
    (message: string, attributes?: Record<string, unknown>): void =>
      write(message, { ...keys, ...attributes });
  return {
    debug: line((message, attributes) => log.debug(message, attributes)),
    info: line((message, attributes) => log.info(message, attributes)),
    warn: line((message, attributes) => log.warn(message, attributes)),
    error: line((message, attributes) => log.error(message, attributes)),
  };
}
