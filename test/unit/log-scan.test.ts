import { describe, expect, it } from 'vitest';
import { capturedOutput } from '../support/log-capture';
import { findSecretLeaks } from '../support/secret-markers';

describe('the suite-wide log scan', () => {
  it('sees what the code writes to the console and to stdout, and finds a secret in it', () => {
    const before = capturedOutput.length;
    console.info('a harmless line');
    process.stdout.write('{"level":"INFO","message":"plain"}\n');

    const lines = capturedOutput.slice(before);
    expect(lines).toEqual(['a harmless line', '{"level":"INFO","message":"plain"}\n']);
    expect(findSecretLeaks(lines)).toEqual([]);
    expect(findSecretLeaks(['token 1000.test-at-abc', 'refresh 1000.sim-rt-x', 'ok'])).toHaveLength(2);
  });
});
