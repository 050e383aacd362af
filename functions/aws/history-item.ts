/**
 * HistoryEntry ⇄ DynamoDB item. History shares the connection's partition (sort key `HIST#<time>#…`)
 * so `zoho-tokens history` is one Query, and carries a TTL so it cleans itself up.
 */
import type { HistoryEntry, RefreshOutcome, RefreshTrigger } from '../core/ports';
import { type Item, ItemReader, num, str } from './item-attributes';
import { connectionKey, HISTORY_TTL_DAYS, historySortKey, TABLE_SCHEMA } from './table';

const SECONDS_PER_DAY = 86_400;

// Records keyed by the union types: tsc fails here when the domain adds a trigger or an outcome.
const TRIGGERS: Record<RefreshTrigger, true> = { scheduled: true, on_demand: true, operator: true };
const OUTCOMES: Record<RefreshOutcome, true> = {
  refreshed: true,
  adopted: true,
  skipped: true,
  throttled: true,
  budget_exhausted: true,
  transient_error: true,
  reauthorization_required: true,
  misconfigured: true,
  revoked: true,
  fresh_token_rejected: true,
  secret_write_budget: true,
};

/** The TTL (epoch seconds) of a history item written for an attempt at `at` (epoch ms). */
export const historyTtl = (at: number): number => Math.floor(at / 1000) + HISTORY_TTL_DAYS * SECONDS_PER_DAY;

/** The item of one history entry; `suffix` keeps two attempts of one millisecond apart. */
export function toHistoryItem(entry: HistoryEntry, suffix: string): Item {
  const item: Item = {
    pk: str(connectionKey(entry.connectionId).pk),
    sk: str(historySortKey(entry.at, suffix)),
    [TABLE_SCHEMA.ttlAttribute]: num(historyTtl(entry.at)),
    connectionId: str(entry.connectionId),
    at: num(entry.at),
    trigger: str(entry.trigger),
    outcome: str(entry.outcome),
    version: num(entry.version),
    durationMs: num(entry.durationMs),
    zohoCalls: num(entry.zohoCalls),
  };
  if (entry.errorCode !== undefined) item.errorCode = str(entry.errorCode);
  if (entry.message !== undefined) item.message = str(entry.message);
  return item;
}

/** Reads a history item; throws CorruptStoredItemError naming the attribute that is wrong. */
export function fromHistoryItem(item: Item): HistoryEntry {
  const read = new ItemReader(item, `history item ${item.sk?.S ?? '(no key)'}`);
  const errorCode = read.optionalString('errorCode');
  const message = read.optionalString('message');
  return {
    connectionId: read.string('connectionId'),
    at: read.number('at'),
    trigger: read.oneOf('trigger', Object.keys(TRIGGERS) as RefreshTrigger[]),
    outcome: read.oneOf('outcome', Object.keys(OUTCOMES) as RefreshOutcome[]),
    version: read.number('version'),
    durationMs: read.number('durationMs'),
    zohoCalls: read.number('zohoCalls'),
    ...(errorCode === undefined ? {} : { errorCode }),
    ...(message === undefined ? {} : { message }),
  };
}
