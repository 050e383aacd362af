/**
 * What a command is (its options, help text and run function) and how its arguments are parsed:
 * node:util parseArgs, strict, with the AWS target options shared by every command that needs them.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { LOCAL_DEFAULTS } from '../functions/aws/names';
import type { AwsSession } from './aws-session';
import { type HintContext, UsageError } from './errors';
import type { CliIo, Output, StdinReader } from './io';

/** One option of a command, with what `--help` says about it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** Placeholder in help, e.g. `ID`. */
  readonly value?: string;
  readonly description: string;
}

/** One example of a help page: what it does, and a command line that runs as shown. */
export interface Example {
  /** What it does, one line (printed as a shell comment above the command). */
  readonly what: string;
  /**
   * The command line, starting with the program's name (`zoho-tokens`, `npm run local --`); secrets only ever as `-` (stdin), optionally from a
   * file with `< FILE`. A test parses every one with the command's own options.
   */
  readonly run: string;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  readonly out: Output;
  readonly io: CliIo;
  readonly stdin: StdinReader;
  /** The AWS target and clients, resolved on first use. */
  readonly aws: AwsSession;
}

export interface CommandSpec {
  /** As typed: `status`, `clients put`, `init`. */
  readonly name: string;
  /** One line for the command list of `zoho-tokens --help`. */
  readonly brief: string;
  /** The `Examples:` of its help page, the most common use first (the group's help shows that one). */
  readonly examples: readonly [Example, ...Example[]];
  readonly summary: string;
  /** Positionals and flags after the name, e.g. `ID [--force]`. */
  readonly usage: string;
  /** Paragraphs printed after the options in `--help`. */
  readonly details?: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Positional arguments accepted: [min, max]. @default [0, 0] */
  readonly positionals?: readonly [number, number];
  /** What the positional argument is, for `<command>: missing <it>`. @default 'connection ID' */
  readonly argument?: string;
  /**
   * Takes the AWS target options (every command but the workshop's `setup`); `'emulator'`: all but --stack,
   * which means nothing to a command that works against an emulator only. @default true
   */
  readonly target?: boolean | 'emulator';
  /** Prints data and so takes `--json`. @default true */
  readonly json?: boolean;
  run(ctx: CommandContext): Promise<number>;
}

/**
 * What the help pages need of a command: all but its code. The shipped CLI reads these from a
 * manifest written at build time, so `--help` loads no command module (and no AWS SDK).
 */
export type CommandInfo = Omit<CommandSpec, 'run'>;

/** Options of every command that acts on AWS (the operator CLI contract: README, "Contracts"). */
export const TARGET_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  profile: {
    type: 'string',
    value: 'NAME',
    description:
      'AWS profile of ~/.aws/config for credentials and region (default: AWS_PROFILE, else the default chain)',
  },
  region: {
    type: 'string',
    value: 'REGION',
    description: "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, else the profile's region)",
  },
  'aws-endpoint': {
    type: 'string',
    value: 'URL',
    description:
      'an AWS API emulator (local mode: documented default names; the functions run in-process only from the dev CLI of a clone, npm run local --)',
  },
  stack: {
    type: 'string',
    value: 'NAME',
    description: 'the deployed stack whose outputs name everything (default: ZohoTokenRefresher)',
  },
  instance: {
    type: 'string',
    value: 'NAME',
    description:
      "the refresher's instanceName, when the stack holds several (its outputs are prefixed: Dev…)",
  },
  table: { type: 'string', value: 'NAME', description: 'connections table (instead of the stack output)' },
  bus: { type: 'string', value: 'NAME', description: 'event bus (instead of the stack output)' },
  key: {
    type: 'string',
    value: 'KEY',
    description: 'refresh-token KMS key id, ARN or alias (instead of the stack output)',
  },
  'secret-prefix': {
    type: 'string',
    value: 'PREFIX',
    description: 'prefix of the secrets (default: zoho-token-refresher)',
  },
};

const JSON_OPTION: OptionSpec = { type: 'boolean', description: 'machine-readable output on stdout' };
const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

/** Every option a command accepts, in help order. */
export function allOptions(spec: CommandInfo): Record<string, OptionSpec> {
  return {
    ...spec.options,
    ...(spec.json === false ? {} : { json: JSON_OPTION }),
    ...targetOptions(spec.target),
    help: HELP_OPTION,
  };
}

function targetOptions(target: CommandSpec['target']): Record<string, OptionSpec> {
  if (target === false) return {};
  if (target !== 'emulator') return TARGET_OPTIONS;
  // Against an emulator the names default to those of the local resources, never to a stack's outputs,
  // and it needs no credentials: no --stack, no --profile.
  const { stack: _stack, profile: _profile, instance: _instance, ...emulator } = TARGET_OPTIONS;
  return Object.fromEntries(
    Object.entries(emulator).map(([name, option]) => [
      name,
      { ...option, description: EMULATOR_DESCRIPTIONS[name] ?? localDefault(option.description) },
    ]),
  );
}

/** What the target options mean against an emulator, where they differ beyond "the local default". */
const EMULATOR_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'aws-endpoint': 'the AWS API emulator (required), e.g. http://127.0.0.1:5000',
  region: `region of the emulator's resources (default: AWS_REGION, else ${LOCAL_DEFAULTS.region})`,
};

const localDefault = (description: string) => description.replace('the stack output', 'the local default');

/** The options whose value is a secret, read from stdin when given as '-'. */
const SECRET_OPTIONS = new Set(['--client-secret', '--refresh-token', '--code']);

/** Parses `args` (after the command name); throws UsageError naming the mistake. */
export function parseCommandArgs(
  spec: CommandSpec,
  args: readonly string[],
  programName = 'zoho-tokens',
): { values: OptionValues; positionals: string[] } {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, option] of Object.entries(allOptions(spec))) {
    options[name] = {
      type: option.type,
      ...(option.multiple === true ? { multiple: true } : {}),
      ...(option.short === undefined ? {} : { short: option.short }),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    const { problem, suggestion } = describeParseError(error, args, options);
    const help = `see '${programName} ${spec.name} --help'`;
    throw new UsageError(
      `${spec.name}: ${problem}`,
      suggestion === undefined
        ? help
        : `did you mean ${suggestion}? See '${programName} ${spec.name} --help'`,
    );
  }
  const values = parsed.values as OptionValues;
  if (values.help === true) return { values, positionals: parsed.positionals };
  const [min, max] = spec.positionals ?? [0, 0];
  if (parsed.positionals.length < min) {
    throw new UsageError(
      `${spec.name}: missing ${spec.argument ?? 'connection ID'}`,
      `usage: ${programName} ${spec.name} ${spec.usage}`,
    );
  }
  if (parsed.positionals.length > max) {
    throw new UsageError(
      `${spec.name}: unexpected argument ${describeArgument(parsed.positionals[max] ?? '')}`,
      `usage: ${programName} ${spec.name} ${spec.usage}`,
    );
  }
  return { values, positionals: parsed.positionals };
}

/**
 * What parseArgs refused, without echoing a secret. Its messages quote an unknown option whole, and a
 * token pasted after a stray `--` (`--1000.abc…`) is one: so that option is found again and described
 * like any stray argument, and any other message that looks like it holds a secret is not shown.
 * A mistyped option comes with the known one it is closest to.
 */
function describeParseError(
  error: unknown,
  args: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
): { problem: string; suggestion?: string } {
  if ((error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const { tokens } = parseArgs({
      args: [...args],
      options,
      strict: false,
      tokens: true,
      allowPositionals: true,
    });
    const unknown = tokens.find((token) => token.kind === 'option' && !Object.hasOwn(options, token.name));
    if (unknown?.kind === 'option') {
      const problem = `unknown option ${describeArgument(unknown.rawName)}`;
      const known = unknown.rawName.startsWith('--')
        ? closest(unknown.name, Object.keys(options))
        : undefined;
      return known === undefined ? { problem } : { problem, suggestion: `--${known}` };
    }
  }
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : '';
  if (message === '') return { problem: 'invalid arguments' };
  // `--expire-every -1`: parseArgs takes `-1` for an option; its own advice is on a later line.
  const ambiguous = /^Option '(--[a-z-]+)' argument is ambiguous\.$/.exec(message);
  if (ambiguous !== null) {
    const option = ambiguous[1] as string;
    // A secret never goes on the command line, whatever it starts with.
    return SECRET_OPTIONS.has(option)
      ? { problem: `${option} needs a value: pass '-' and give the secret on stdin` }
      : { problem: `${option} needs a value; one that starts with '-' is written ${option}=-VALUE` };
  }
  return {
    problem: looksSecret(message)
      ? 'invalid arguments (not shown: they look like a token or secret)'
      : message,
  };
}

/**
 * The candidate closest to a mistyped `word`, if within 2 edits (a swap of neighbours is one) and
 * unambiguous; never for a word that looks like a secret, which is no typo of a name.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length < 2 || looksSecret(word)) return undefined;
  let best: string | undefined;
  let bestDistance = 3;
  let tie = false;
  for (const candidate of new Set(candidates)) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance) {
      tie = true;
    }
  }
  // One letter off a one- or two-letter name is any other name: only suggest what is recognisable.
  if (best === undefined || tie || bestDistance >= best.length) return undefined;
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, at(i - 2, j - 2) + 1);
      }
      row[j] = distance;
    }
  }
  return at(a.length, b.length);
}

/** What a failure's hint may repeat of the command line: plain names only, never a pasted secret. */
export function hintContext(values: OptionValues, positionals: readonly string[]): HintContext {
  const plain = (value: string | undefined) =>
    value !== undefined && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(value) && !looksSecret(value)
      ? value
      : undefined;
  const connectionId = plain(positionals[0] ?? stringOption(values, 'id')?.trim());
  const clientRef = plain(stringOption(values, 'client')?.trim());
  return {
    ...(connectionId === undefined ? {} : { connectionId }),
    ...(clientRef === undefined ? {} : { clientRef }),
    accountsServerGiven: stringOption(values, 'accounts-server') !== undefined,
  };
}

/** The `--help` text of one command, as `programName` runs it. */
export function commandHelp(spec: CommandInfo, programName = 'zoho-tokens'): string {
  const lines = [
    `Usage: ${programName} ${spec.name} ${spec.usage}`.trimEnd(),
    '',
    spec.summary,
    '',
    'Options:',
  ];
  const entries = Object.entries(allOptions(spec)).map(([name, option]) => {
    const flag = `${option.short === undefined ? '    ' : `-${option.short}, `}--${name}${option.value === undefined ? '' : ` ${option.value}`}`;
    return [flag, option.description] as const;
  });
  const width = Math.max(...entries.map(([flag]) => flag.length));
  for (const [flag, description] of entries) lines.push(`  ${flag.padEnd(width)}  ${description}`);
  for (const paragraph of spec.details ?? []) lines.push('', paragraph);
  return `${[...lines, '', ...examplesSection(spec.examples)].join('\n')}\n`;
}

/**
 * The `Examples:` section of a help page: each example as a comment line saying what it does and
 * the command under it, so that the whole block can be pasted into a shell.
 */
export function examplesSection(examples: readonly Example[]): string[] {
  return [
    'Examples:',
    ...examples.flatMap((example, index) => [
      ...(index === 0 ? [] : ['']),
      `  # ${example.what}`,
      `  ${example.run}`,
    ]),
  ];
}

/** A string option's value; undefined when absent. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A string option that must be given. */
export function requiredOption(values: OptionValues, name: string, spec: CommandSpec): string {
  const value = stringOption(values, name);
  if (value === undefined || value.trim() === '') {
    throw new UsageError(
      `${spec.name}: --${name} is required`,
      `usage: zoho-tokens ${spec.name} ${spec.usage}`,
    );
  }
  return value.trim();
}

/** A non-negative whole number option. */
export function integerOption(values: OptionValues, name: string, fallback?: number): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  if (!/^\d{1,15}$/.test(raw.trim())) {
    throw new UsageError(`--${name} must be a non-negative whole number (got ${describeArgument(raw, 20)})`);
  }
  return Number(raw.trim());
}

/**
 * A stray argument as an error message may quote it. A secret pasted in the wrong place (a token
 * where a flag was meant, a missing `--refresh-token` before it) must not be echoed into a terminal
 * or a CI log: a value shaped like a Zoho token or a long opaque string is described, not shown.
 */
export function describeArgument(value: string, maxLength = 40): string {
  if (looksSecret(value)) return `(${value.length} characters, not shown: it looks like a token or secret)`;
  return JSON.stringify(value.length > maxLength ? `${value.slice(0, maxLength)}…` : value);
}

/** `1000.` starts Zoho's tokens, grant codes and client ids, wherever it appears in the value. */
const ZOHO_SHAPED = /(^|[^0-9])1000\.[0-9A-Za-z]/;
/** A long run of letters and digits, as in keys, secrets and base64/hex blobs. */
const OPAQUE_RUN = /[0-9A-Za-z+/=_]{16,}/g;

/** True for a value shaped like a Zoho token or a long opaque string (see {@link describeArgument}). */
export function looksSecret(value: string): boolean {
  if (ZOHO_SHAPED.test(value)) return true;
  return (value.match(OPAQUE_RUN) ?? []).some((run) => /\d/.test(run) && /[A-Za-z]/.test(run));
}
