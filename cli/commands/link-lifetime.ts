/** `--expires-in`: `90s`, `30m`, `2h`, `3d`. */
import { MAX_LINK_LIFETIME_MS, MIN_LINK_LIFETIME_MS } from '../../functions/core/connect-link';
import { UsageError } from '../errors';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or undefined when not given; a UsageError for anything else or out of range. */
export function parseLinkLifetime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{1,6})([smhd])$/.exec(value.trim());
  const ms = match === null ? Number.NaN : Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
  if (!(ms >= MIN_LINK_LIFETIME_MS && ms <= MAX_LINK_LIFETIME_MS)) {
    throw new UsageError(
      `link create: --expires-in must be a duration from 1m to 7d, like 30m, 2h or 3d (got '${value.slice(0, 20)}')`,
    );
  }
  return ms;
}
