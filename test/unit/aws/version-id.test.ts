import { describe, expect, it } from 'vitest';
import { accessTokenVersionId, uuidV5 } from '../../../functions/aws/version-id';

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('deterministic version ids', () => {
  it('computes RFC 9562 UUIDv5 (Python uuid.uuid5 reference values)', () => {
    // Act
    const dns = uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    const ours = accessTokenVersionId('conn-1', 7);

    // Assess
    expect(dns).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(ours).toBe('e7da2cec-46b6-501f-b099-d6a1a1f759ac');
  });

  it('gives the same id for the same (connection, version) and different ids otherwise', () => {
    // Act
    const ids = [
      accessTokenVersionId('books-eu', 8),
      accessTokenVersionId('books-eu', 8),
      accessTokenVersionId('books-eu', 9),
      accessTokenVersionId('books-us', 8),
    ];

    // Assess
    for (const id of ids) expect(id).toMatch(UUID_V5);
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(3);
  });

  it('refuses a namespace that is not a UUID', () => {
    // Act
    const act = () => uuidV5('x', 'not-a-uuid');

    // Assess
    expect(act).toThrow(TypeError);
  });
});
