/** ConnectLink ⇄ DynamoDB item (see link-store.ts for where the items live). */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { ConnectLink } from '../core/connect-link';
import { CorruptStoredItemError } from './errors';
import { TABLE_SCHEMA } from './table';

/** The sort key of link items. */
export const LINK_SORT_KEY = 'LINK';

/** How long a link item outlives its expiry, so a late click still learns the link expired. */
export const LINK_ITEM_GRACE_SECONDS = 24 * 60 * 60;

/** An item as `unmarshall` gives it back. */
export type LinkItem = Record<string, unknown>;

export const linkKey = (stateHash: string) => ({ pk: `LINK#${stateHash}`, sk: LINK_SORT_KEY });

export function toLinkItem(link: ConnectLink): Record<string, AttributeValue> {
  return marshall(
    {
      ...linkKey(link.stateHash),
      stateHash: link.stateHash,
      connectionId: link.connectionId,
      clientRef: link.clientRef,
      dc: link.dc,
      accountsServer: link.accountsServer,
      scope: link.scope,
      reauthorize: link.reauthorize,
      createdAt: link.createdAt,
      expiresAt: link.expiresAt,
      [TABLE_SCHEMA.ttlAttribute]: Math.floor(link.expiresAt / 1000) + LINK_ITEM_GRACE_SECONDS,
      ...(link.usedAt === undefined ? {} : { usedAt: link.usedAt }),
    },
    { removeUndefinedValues: true },
  );
}

export function fromLinkItem(item: LinkItem): ConnectLink {
  const text = (name: string): string => {
    const value = item[name];
    if (typeof value !== 'string') throw corrupt(name);
    return value;
  };
  const number = (name: string): number => {
    const value = item[name];
    if (typeof value !== 'number') throw corrupt(name);
    return value;
  };
  const usedAt = item.usedAt;
  return {
    stateHash: text('stateHash'),
    connectionId: text('connectionId'),
    clientRef: text('clientRef'),
    dc: text('dc'),
    accountsServer: text('accountsServer'),
    scope: text('scope'),
    reauthorize: item.reauthorize === true,
    createdAt: number('createdAt'),
    expiresAt: number('expiresAt'),
    ...(typeof usedAt === 'number' ? { usedAt } : {}),
  };
}

function corrupt(name: string): CorruptStoredItemError {
  return new CorruptStoredItemError('link item', `${name} is missing or of the wrong type`);
}
