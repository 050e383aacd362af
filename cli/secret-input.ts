/**
 * Secrets (client secret, refresh token, grant code) reach the CLI without landing in shell
 * history: `--flag -` reads standard input (with the terminal's echo off when a person types it),
 * or an environment variable holds the value. A value typed on the command line still works, with a
 * warning.
 */
import { type CommandContext, stringOption } from './command';
import { UsageError } from './errors';
import { stdinIsTerminal } from './io';

export interface SecretSource {
  /** Option name, e.g. `refresh-token`. */
  readonly option: string;
  /** Environment variable, e.g. `ZOHO_REFRESH_TOKEN`. */
  readonly envVar: string;
  /** What it is, for prompts and errors: `the refresh token`. */
  readonly what: string;
}

/** The secret from `--option -` (stdin), `--option VALUE` or the environment variable; else UsageError. */
export async function readSecret(ctx: CommandContext, source: SecretSource): Promise<string> {
  const value = await readOptionalSecret(ctx, source);
  if (value === undefined) {
    throw new UsageError(
      `${source.what} is missing`,
      `give --${source.option} - and pipe it on stdin, or set ${source.envVar}`,
    );
  }
  return value;
}

/** Like readSecret, but undefined when no source gives it. */
export async function readOptionalSecret(
  ctx: CommandContext,
  source: SecretSource,
): Promise<string | undefined> {
  const flag = stringOption(ctx.values, source.option);
  let value: string | undefined;
  if (flag === '-') {
    // Whether someone types is stdin's question, not stdout's: `cmd | zoho-tokens … -` pipes it in,
    // while `zoho-tokens … - > out.json` still has a person at the keyboard.
    if (stdinIsTerminal(ctx.io)) {
      ctx.out.note(`Paste ${source.what}, then press Enter (it is not shown):`);
      value = await ctx.stdin.hiddenLine();
      // Raw mode did not echo the Enter either: what follows starts on a line of its own.
      ctx.io.stderr.write('\n');
    } else {
      value = await ctx.stdin.rest();
    }
    if (value === undefined || value.trim() === '') {
      throw new UsageError(`--${source.option} - read nothing from standard input`);
    }
  } else if (flag !== undefined) {
    ctx.out.note(
      `warning: ${source.what} on the command line ends up in your shell history; prefer --${source.option} - or ${source.envVar}`,
    );
    value = flag;
  } else {
    value = ctx.io.env[source.envVar];
  }
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
