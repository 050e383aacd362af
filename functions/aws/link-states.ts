/** Link states: 256 random bits, URL-safe; stored only as their SHA-256. */
import { createHash, randomBytes } from 'node:crypto';
import type { LinkStates } from '../core/connect-link';

export const cryptoLinkStates: LinkStates = {
  newState: () => randomBytes(32).toString('base64url'),
  hash: (state) => createHash('sha256').update(state, 'utf8').digest('base64url'),
};
