import { describe, expect, it } from 'vitest';
import { ReservedClientNameError } from '../../../functions/aws/errors';
import {
  clientSecretName,
  consumerEventSource,
  parseClientName,
  sourceConnection,
} from '../../../functions/aws/names';
import { InvalidInputError } from '../../../functions/core/errors';

describe('consumer report sources', () => {
  it('name the connection after the consumer prefix, and read it back', () => {
    // Act
    const source = consumerEventSource('acme-books');

    // Assess
    expect(source).toBe('zoho-token-refresher.consumer.acme-books');
    expect(sourceConnection(source)).toBe('acme-books');
  });

  it.each([
    ['the shared source of before', 'zoho-token-refresher.consumer', undefined],
    ["the refresher's source", 'zoho-token-refresher', undefined],
    ['a look-alike', 'zoho-token-refresher.consumerX.acme', undefined],
    ['no string', 42, undefined],
    ['an empty connection', 'zoho-token-refresher.consumer.', ''],
    ['a connection id with a dot', 'zoho-token-refresher.consumer.acme.eu', 'acme.eu'],
  ])('read %s as %j', (_label, source, expected) => {
    expect(sourceConnection(source)).toBe(expected);
  });
});

describe('parseClientName', () => {
  it.each(['books', 'books-eu', 'Acme.CRM_2', 'access-toke', 'x-access-token', 'access_token'])(
    'accepts %s',
    (name) => {
      expect(parseClientName(name)).toBe(name);
    },
  );

  it.each(['access-token', 'ACCESS-TOKEN', 'access-token-eu', 'access-tokens'])(
    "refuses %s: its secret would sit where the consumers' pattern reaches",
    (name) => {
      // Act
      const parse = () => parseClientName(name);

      // Assess
      expect(parse).toThrowError(ReservedClientNameError);
      expect(parse).toThrowError(
        `client name '${name}' is reserved: a client app's secret under a name starting with 'access-token' would match the consumers' access-token secret pattern; choose another name`,
      );
      expect(new ReservedClientNameError(name).code).toBe('reserved_client_name');
      expect(new ReservedClientNameError(name)).toBeInstanceOf(InvalidInputError);
    },
  );

  it.each([
    ['a slash', 'team/books'],
    ['a leading underscore', '_clients'],
    ['an empty name', ''],
    ['no string', undefined],
  ])('refuses %s as invalid input', (_label, name) => {
    expect(() => parseClientName(name)).toThrowError(InvalidInputError);
    expect(() => parseClientName(name)).toThrowError('client name must be 1-64 letters');
  });

  it('does not echo a long value pasted where the name belongs', () => {
    // Act
    const error = (() => {
      try {
        parseClientName(`1000.${'a'.repeat(32)}.${'b'.repeat(32)}`);
      } catch (thrown) {
        return thrown as Error;
      }
    })();

    // Assess
    expect(error?.message).toContain('got a string of 70 characters, not shown');
    expect(error?.message).not.toContain('aaaa');
  });

  it('keeps every accepted name under _clients/, one path segment deep', () => {
    expect(clientSecretName('team/zoho', parseClientName('books'))).toBe('team/zoho/_clients/books');
  });
});
