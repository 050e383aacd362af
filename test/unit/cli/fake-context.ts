/**
 * A command's context with in-memory ports and captured streams, for unit tests of one command step
 * (the AWS target and Zoho are whatever the test hands in; anything else it does not expect throws).
 */
import { Readable } from 'node:stream';
import type { AwsSession } from '../../../cli/aws-session';
import type { CommandContext, OptionValues } from '../../../cli/command';
import { type CliIo, type CliStdin, createOutput, StdinReader } from '../../../cli/io';
import type { ZohoAccountsClient } from '../../../functions/zoho/accounts-client';
import { FakeCipher, FakeCredentials, InMemoryConnectionStore } from '../../support/fakes';

export interface FakeContextOptions {
  readonly values?: OptionValues;
  readonly positionals?: readonly string[];
  readonly stdin?: CliStdin;
  /** stdout is a terminal. @default false */
  readonly isTTY?: boolean;
  /** stderr is a terminal. @default false */
  readonly stderrIsTTY?: boolean;
  readonly cwd?: string;
  readonly store?: InMemoryConnectionStore;
  readonly zoho?: Partial<ZohoAccountsClient>;
}

export interface FakeContext {
  readonly ctx: CommandContext;
  readonly store: InMemoryConnectionStore;
  readonly cipher: FakeCipher;
  readonly credentials: FakeCredentials;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** A context whose AWS side is the in-memory fakes of test/support and a local (emulator) target. */
export function fakeContext(options: FakeContextOptions = {}): FakeContext {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: options.stderrIsTTY ?? false },
    stdin: options.stdin ?? Readable.from([]),
    isTTY: options.isTTY ?? false,
    env: {},
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  };
  const store = options.store ?? new InMemoryConnectionStore();
  const cipher = new FakeCipher();
  const credentials = new FakeCredentials();
  const unexpected = (what: string) => () => {
    throw new Error(`unexpected call of aws.${what}`);
  };
  const aws = {
    ports: async () => ({ store, cipher, credentials }),
    target: async () => ({
      local: true,
      names: { secretPrefix: 'zoho-token-refresher', eventBusName: 'zoho-token-refresher' },
    }),
    zoho: () => options.zoho ?? unexpected('zoho')(),
    refresher: unexpected('refresher'),
    clients: unexpected('clients'),
  } as unknown as AwsSession;
  const ctx: CommandContext = {
    values: options.values ?? {},
    positionals: options.positionals ?? [],
    out: createOutput(io),
    io,
    stdin: new StdinReader(io.stdin),
    aws,
  };
  return { ctx, store, cipher, credentials, stdout: () => stdout, stderr: () => stderr };
}

/** A terminal's stdin as the CLI sees it: chunks as typed or pasted, and the raw-mode switch. */
export function terminalStdin(chunks: readonly string[]): CliStdin & { readonly rawModes: boolean[] } {
  const rawModes: boolean[] = [];
  return {
    isTTY: true,
    rawModes,
    setRawMode: (raw: boolean) => rawModes.push(raw),
    async *[Symbol.asyncIterator]() {
      for (const chunk of chunks) yield chunk;
    },
  };
}
