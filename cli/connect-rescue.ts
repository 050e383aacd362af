/**
 * What `connect` does when storing fails after the grant code was spent: the new refresh token then
 * exists only in this process. Dropping it would leave a live token nobody holds, and Zoho keeps only
 * 20 refresh tokens per user and client (the 21st silently invalidates the oldest, perhaps one in
 * use). So it is revoked at Zoho, and no secret is ever shown. Only when Zoho cannot be reached to
 * revoke it is the token handed to the operator who just authorised it: on stderr when that is a
 * terminal, else in a new file only they can read, never into a CI log.
 */
import { randomBytes } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CUSTOM_DC } from '../functions/zoho/data-centres';
import { RefreshTokenAlreadyInvalidError } from '../functions/zoho/errors';
import type { CommandContext } from './command';
import { describeFailure, OperationError } from './errors';
import { stderrIsTerminal } from './io';
import { type Onboarding, StoreOutcomeUnknownError } from './onboarding';

/** Revokes the refresh token that could not be stored, or hands it over; returns the error to throw. */
export async function rescueRefreshToken(
  ctx: CommandContext,
  onboarding: Onboarding,
  refreshToken: string,
  cause: unknown,
): Promise<OperationError> {
  const id = onboarding.connectionId;
  const unknown = cause instanceof StoreOutcomeUnknownError;
  const failure = describeFailure(unknown ? cause.writeError : cause);
  let stored = `the grant code was exchanged, but storing connection '${id}' failed: ${failure.message}`;
  if (unknown) {
    stored += `. Whether it was stored anyway is unknown: reading it back failed too (${describeFailure(cause.readError).message})`;
  }
  const fix = failure.hint === undefined ? 'fix that' : `fix that (${failure.hint})`;
  try {
    await ctx.aws.zoho(onboarding.allowed).revokeRefreshToken({
      accountsServer: onboarding.location.accountsServer,
      refreshToken,
    });
  } catch (error) {
    // Zoho no longer knowing the token is as good as revoked; anything else leaves it alive.
    if (!(error instanceof RefreshTokenAlreadyInvalidError)) {
      const kept = await keepRefreshToken(ctx, onboarding, refreshToken);
      const revokeFailed = `${stored}. Revoking the new refresh token failed too (${describeFailure(error).message})`;
      const check = unknown
        ? `'zoho-tokens status ${id}' shows whether it was stored (then the schedule refreshes it; ${kept.discard}); if it was not, `
        : '';
      if (kept.where === undefined) {
        return new OperationError(
          `${revokeFailed}, and it could not be kept: stderr is not a terminal and no file could be written (${kept.problem}). It stays live at Zoho, counting towards the 20 refresh tokens per user and client app`,
          `${check}${fix}, then revoke unused authorisations in Zoho (Accounts → Connected Apps) and run connect again, on a terminal`,
        );
      }
      return new OperationError(
        `${revokeFailed}: ${kept.where}`,
        `${check}${fix}, then store it with the 'zoho-tokens add' line above, or revoke it in Zoho (Accounts → Connected Apps)`,
      );
    }
  }
  if (unknown) {
    return new OperationError(
      `${stored}. The new refresh token was revoked at Zoho`,
      `'zoho-tokens status ${id}' shows whether it was stored: if '${id}' is active now, it holds the revoked token, so 'zoho-tokens revoke ${id}' it. Then ${fix}, generate a new code and run connect again`,
    );
  }
  return new OperationError(
    `${stored}. The new refresh token was revoked at Zoho, so nothing was left behind`,
    `${fix}, then generate a new code (Zoho API console → Self Client → Generate Code) and run connect again`,
  );
}

/** Where the token went (undefined: nowhere), and what to do with it once stored. */
interface Kept {
  readonly where?: string;
  readonly discard: string;
  readonly problem?: string;
}

/**
 * The last resort of {@link rescueRefreshToken}, never stdout or --json output: stderr when it is a
 * terminal; otherwise stderr may be a CI log that keeps it for months, so a new file of mode 0600.
 */
async function keepRefreshToken(
  ctx: CommandContext,
  onboarding: Onboarding,
  refreshToken: string,
): Promise<Kept> {
  const add = addCommandLine(onboarding);
  const warn = (text: string) => ctx.io.stderr.write(`${ctx.out.paint(`!!! ${text}`, 'red', 'bold')}\n`);
  if (stderrIsTerminal(ctx.io)) {
    warn('WARNING: the refresh token below is live and stored NOWHERE else. Treat it as a password:');
    warn('do not paste it into tickets or chats; clear your scrollback once it is stored.');
    warn('Store it once the cause is fixed (with the same target flags: --region/--stack/--aws-endpoint):');
    warn(`  ${add}`);
    warn('and paste it on standard input.');
    ctx.io.stderr.write(`${refreshToken}\n`);
    return { where: 'it is printed above on stderr', discard: 'clear your scrollback' };
  }
  const written = await writeTokenFile(ctx, onboarding.connectionId, refreshToken);
  if (written.path === undefined) return { discard: 'nothing to clean up', problem: written.problem };
  const file = shellQuote(written.path);
  warn(
    `WARNING: the live refresh token, stored NOWHERE else, was written to ${file} (readable by you only).`,
  );
  warn('Store it once the cause is fixed (with the same target flags: --region/--stack/--aws-endpoint):');
  warn(`  ${add} < ${file}`);
  warn(`then delete the file: rm ${file}`);
  return { where: `it was written to ${file} (mode 0600)`, discard: `delete ${file}` };
}

/** A new file (never an existing one: `wx`) in the working directory, else in the temporary one. */
async function writeTokenFile(
  ctx: CommandContext,
  connectionId: string,
  refreshToken: string,
): Promise<{ path?: string; problem: string }> {
  const name = `zoho-refresh-token-${connectionId}-${randomBytes(4).toString('hex')}.txt`;
  const problems: string[] = [];
  for (const dir of [ctx.io.cwd ?? process.cwd(), tmpdir()]) {
    const path = join(dir, name);
    try {
      const file = await open(path, 'wx', 0o600);
      try {
        await file.writeFile(`${refreshToken}\n`);
      } catch (error) {
        // A file with half a token helps no one: remove it and try the next place.
        await file.close();
        await unlink(path).catch(() => undefined);
        throw error;
      }
      await file.close();
      return { path, problem: '' };
    } catch (error) {
      problems.push(`${dir}: ${(error as { code?: string }).code ?? describeFailure(error).message}`);
    }
  }
  return { problem: problems.join('; ') };
}

/** The `add` command that stores the rescued token with the same client app and accounts server. */
function addCommandLine({ connectionId, clientRef, location }: Onboarding): string {
  const where =
    location.dc === CUSTOM_DC
      ? `--accounts-server ${location.accountsServer} --allow-custom-accounts-server`
      : `--dc ${location.dc}`;
  return `zoho-tokens add --id ${connectionId} --client ${clientRef} ${where} --refresh-token -`;
}

/** A path as a POSIX shell reads it back unchanged. */
function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}
