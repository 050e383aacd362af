/**
 * Setup file of every test project: captures everything the code under test writes (console and
 * process streams, which Powertools Logger uses) and fails the test file if any of it carries a
 * secret used in the tests. Across the suite, this is the "no secret in a log" check.
 */
import { format } from 'node:util';
import { afterAll, expect } from 'vitest';
import { findSecretLeaks } from './secret-markers';

export const capturedOutput: string[] = [];

const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
for (const method of methods) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    capturedOutput.push(format(...args));
    original(...args);
  };
}
for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    capturedOutput.push(
      typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'),
    );
    return original(chunk, ...rest);
  }) as typeof stream.write;
}

afterAll(() => {
  const leaks = findSecretLeaks(capturedOutput);
  // Show where, never what: the leaked line itself would print the secret again.
  expect(leaks.length, `${leaks.length} captured log line(s) contain a secret used in the tests`).toBe(0);
});
