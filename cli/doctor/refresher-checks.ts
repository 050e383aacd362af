/**
 * Doctor checks made with the refresher's own permissions: the operator function's `check` command
 * (in-process against an emulator, Lambda Invoke in AWS) decrypts the refresh token and reads the
 * client app and the access-token secret, without calling Zoho and without returning any of them.
 * Operators' credentials cannot stand in: by design only the refresher roles may decrypt. The
 * operator function's role reads exactly what the other two refresher roles read for a refresh.
 */
import { accessTokenSecretName, clientSecretName } from '../../functions/aws/names';
import { CHECK_PARTS, type ConnectionCheckResult } from '../../functions/core/check-connection';
import type { Connection } from '../../functions/core/connection';
import type { AwsTarget } from '../aws-target';
import { type Check, fail, ok, warn } from './check';

export interface RefresherCheckContext {
  readonly target: AwsTarget;
  /** Runs the `check` operator command for a connection (handlers.ts `checkAsRefresher`). */
  readonly checkAsRefresher: (connectionId: string) => Promise<ConnectionCheckResult>;
}

/** The refresh token, client app and access-token secret as the refresher sees them. */
export async function refresherChecks(ctx: RefresherCheckContext, connection: Connection): Promise<Check[]> {
  const { target } = ctx;
  const id = connection.connectionId;
  const addAgain = `zoho-tokens add --id ${id} … --refresh-token -`;
  if (!target.local && target.names.operatorFunctionName === undefined) {
    return [
      warn(
        'refresh token',
        'not checked: only the refresher roles may decrypt it, and without the stack the operator function is not known',
        'pass --stack (instead of --table/--bus/--key) so doctor can ask the deployed function',
      ),
    ];
  }
  const result = await ctx.checkAsRefresher(id);
  const actor = target.local
    ? 'the refresher'
    : `${target.names.operatorFunctionName} (the refresher's role)`;
  // Each problem line is `<part>: <error name> [code]`; the check's name already says the part.
  const problem = (part: string) => {
    const line = result.problems.find((candidate) => candidate.startsWith(part));
    return line === undefined ? 'not readable' : line.slice(line.indexOf(': ') + 2);
  };
  return [
    refreshTokenCheck(ctx, connection, result, actor, problem(CHECK_PARTS.refreshToken), addAgain),
    result.clientAppReadable
      ? ok(
          `refresher: client app ${connection.clientRef}`,
          `${actor} reads it for data centre ${connection.dc}`,
        )
      : fail(
          `refresher: client app ${connection.clientRef}`,
          `${actor} cannot read it: ${problem(CHECK_PARTS.clientApp)}`,
          `store it: zoho-tokens clients put --client ${connection.clientRef} --client-id … --client-secret -${
            target.local
              ? ''
              : `; if it is stored, the refresher roles need secretsmanager:GetSecretValue on ${clientSecretName(target.names.secretPrefix, connection.clientRef)}`
          }`,
        ),
    result.accessTokenReadable
      ? ok(
          'refresher: access-token secret',
          `${actor} reads it${result.accessTokenVersion === undefined ? ' (none written yet)' : ` (version ${result.accessTokenVersion})`}`,
        )
      : fail(
          'refresher: access-token secret',
          `${actor} cannot read it: ${problem(CHECK_PARTS.accessToken)}`,
          `if its value was edited by hand, zoho-tokens refresh ${id} --force writes a new version${
            target.local
              ? ''
              : `; otherwise the refresher roles need secretsmanager:GetSecretValue on ${accessTokenSecretName(target.names.secretPrefix, id)}`
          }`,
        ),
  ];
}

function refreshTokenCheck(
  ctx: RefresherCheckContext,
  connection: Connection,
  result: ConnectionCheckResult,
  actor: string,
  problem: string,
  addAgain: string,
): Check {
  const name = 'refresh token';
  const { keyId } = ctx.target.names;
  if (connection.encryptedRefreshToken === '') {
    return fail(name, 'no refresh token is stored (revoked)', addAgain);
  }
  if (result.refreshTokenDecrypts) {
    return ok(name, `${actor} decrypts it with key ${keyId} under its connection's encryption context`);
  }
  return fail(
    name,
    `${actor} cannot decrypt it: ${problem}`,
    ctx.target.local
      ? `register it again: ${addAgain}`
      : `the refresher roles need kms:Decrypt on ${keyId} under this connection's encryption context (the stack grants it: deploy again if the key policy was changed); if the stored ciphertext is damaged, register it again: ${addAgain}`,
  );
}
