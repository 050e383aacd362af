/**
 * The consumer library's optional logger: what it decided (a 401 and the report it caused, a wait
 * for a newer token and how it ended, failing fast) said through the consumer's own logger. Any
 * object with some of `debug`, `info`, `warn`, `error` taking a message and an attributes object
 * fits: `console`, a Powertools Logger. No line carries a token: attributes are the connection,
 * token versions, Zoho's error code, the request id, reasons and times.
 */

/** What a line says besides its message: ids, versions, codes and times, never a token. */
export type ConsumerLogAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * A logger the consumer library may write to. Every method is optional: a level the logger lacks
 * is not written. `console` and a Powertools `Logger` fit as they are; a logger that takes the
 * attributes first (pino: `logger.info(attributes, message)`) needs a small wrapper.
 */
export interface ConsumerLogger {
  debug?(message: string, attributes: ConsumerLogAttributes): void;
  info?(message: string, attributes: ConsumerLogAttributes): void;
  warn?(message: string, attributes: ConsumerLogAttributes): void;
  error?(message: string, attributes: ConsumerLogAttributes): void;
}

/** The library's side: every level present, the connection on every line. */
export type ConsumerLog = Required<ConsumerLogger>;

/** Writes nothing: the default when no logger is given. */
export const SILENT_LOG: ConsumerLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * The library's log over `logger`: `connectionId` is added to every line, and a logger that throws
 * is ignored, since a log line must never fail the Zoho call it describes.
 */
export function consumerLog(logger: ConsumerLogger | undefined, connectionId: string): ConsumerLog {
  if (logger === undefined) return SILENT_LOG;
  const level =
    (name: keyof ConsumerLogger) =>
    (message: string, attributes: ConsumerLogAttributes): void => {
      try {
        // Called as a method: console and Powertools need their `this`.
        logger[name]?.(message, { connectionId, ...attributes });
      } catch {
        // The logger's failure is the logger's; the call goes on.
      }
    };
  return { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') };
}
