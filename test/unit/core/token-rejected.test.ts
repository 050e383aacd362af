import { describe, expect, it } from 'vitest';
import { ForgedReportError, InvalidInputError } from '../../../functions/core/errors';
import { parseTokenRejected } from '../../../functions/core/token-rejected';

describe('parseTokenRejected (the "Zoho Token Rejected" report contract)', () => {
  it('accepts the documented detail, optional fields included', () => {
    expect(
      parseTokenRejected('acme', {
        connectionId: 'acme',
        version: 3,
        status: 401,
        code: 57,
        requestId: 'r-1',
      }),
    ).toEqual({
      connectionId: 'acme',
      version: 3,
      status: 401,
      code: 57,
      requestId: 'r-1',
    });
    expect(parseTokenRejected('acme', { connectionId: 'acme', version: 0, status: 401 })).toEqual({
      connectionId: 'acme',
      version: 0,
      status: 401,
    });
  });

  it('takes the connection from the source when the detail does not repeat it', () => {
    expect(parseTokenRejected('acme', { version: 2, status: 401 })).toEqual({
      connectionId: 'acme',
      version: 2,
      status: 401,
    });
  });

  it.each([
    ['another connection', 'acme-eu'],
    ['the same id in another case', 'Acme'],
  ])('refuses a detail naming %s than the source as forged', (_label, named) => {
    // Act
    const parse = () => parseTokenRejected('acme', { connectionId: named, version: 1, status: 401 });

    // Assess
    expect(parse).toThrowError(ForgedReportError);
    expect(parse).toThrowError(
      `report under the source of connection 'acme' names connection '${named}' in its detail: refused as forged`,
    );
  });

  it('gives the forged report its own code, under InvalidInputError (refused, never retried)', () => {
    // Act
    const error = new ForgedReportError('acme', 'other');

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.code).toBe('forged_report');
    expect([error.sourceConnectionId, error.detailConnectionId]).toEqual(['acme', 'other']);
  });

  it.each([
    ['a source connection with a slash', 'a/b', { version: 1, status: 401 }, 'connection id'],
    ['no source connection', undefined, { version: 1, status: 401 }, 'connection id'],
    ['not an object', 'a', 'x', 'must be an object'],
    ['an array', 'a', [], 'must be an object'],
    [
      'a detail connection id with a slash',
      'a',
      { connectionId: 'a/b', version: 1, status: 401 },
      'connection id',
    ],
    ['a string version', 'a', { connectionId: 'a', version: '1', status: 401 }, 'version'],
    ['a negative version', 'a', { connectionId: 'a', version: -1, status: 401 }, 'version'],
    ['a fractional version', 'a', { connectionId: 'a', version: 1.5, status: 401 }, 'version'],
    ['status 429', 'a', { connectionId: 'a', version: 1, status: 429 }, 'status must be 401'],
    ['a string code', 'a', { connectionId: 'a', version: 1, status: 401, code: '57' }, 'code'],
    [
      'a huge requestId',
      'a',
      { connectionId: 'a', version: 1, status: 401, requestId: 'x'.repeat(201) },
      'requestId',
    ],
  ])('rejects %s with InvalidInputError', (_label, source, detail, message) => {
    expect(() => parseTokenRejected(source, detail)).toThrowError(InvalidInputError);
    expect(() => parseTokenRejected(source, detail)).toThrowError(message);
  });
});
