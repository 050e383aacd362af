/** A Log port that writes nothing: the CLI's own ports report through their results, not log lines. */
import type { Log } from '../functions/core/ports';

/** A Log port that writes nothing. */
export const quietLog: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
