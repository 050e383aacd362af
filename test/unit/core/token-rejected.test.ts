import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors';
import { parseTokenRejected } from '../../../functions/core/token-rejected';

describe('parseTokenRejected (the "Zoho Token Rejected" detail contract)', () => {
  it('accepts the documented detail, optional fields included', () => {
    expect(
      parseTokenRejected({ connectionId: 'acme', version: 3, status: 401, code: 57, requestId: 'r-1' }),
    ).toEqual({
      connectionId: 'acme',
      version: 3,
      status: 401,
      code: 57,
      requestId: 'r-1',
    });
    expect(parseTokenRejected({ connectionId: 'acme', version: 0, status: 401 })).toEqual({
      connectionId: 'acme',
      version: 0,
      status: 401,
    });
  });

  it.each([
    ['not an object', 'x', 'must be an object'],
    ['an array', [], 'must be an object'],
    ['no connection id', { version: 1, status: 401 }, 'connection id'],
    ['a connection id with a slash', { connectionId: 'a/b', version: 1, status: 401 }, 'connection id'],
    ['a string version', { connectionId: 'a', version: '1', status: 401 }, 'version'],
    ['a negative version', { connectionId: 'a', version: -1, status: 401 }, 'version'],
    ['a fractional version', { connectionId: 'a', version: 1.5, status: 401 }, 'version'],
    ['status 429', { connectionId: 'a', version: 1, status: 429 }, 'status must be 401'],
    ['a string code', { connectionId: 'a', version: 1, status: 401, code: '57' }, 'code'],
    [
      'a huge requestId',
      { connectionId: 'a', version: 1, status: 401, requestId: 'x'.repeat(201) },
      'requestId',
    ],
  ])('rejects %s with InvalidInputError', (_label, detail, message) => {
    expect(() => parseTokenRejected(detail)).toThrowError(InvalidInputError);
    expect(() => parseTokenRejected(detail)).toThrowError(message);
  });
});
