/** The end of `connect` and `add`: the first refresh, and how consumers read the token. */
import { accessTokenSecretName, DEFAULT_SECRET_PREFIX } from '../functions/aws/names';
import type { OperatorResult } from '../functions/operator/operator-handler';
import type { CommandContext } from './command';
import { EXIT_OK, OperationError } from './errors';
import { relative, timestamp } from './format';
import { refreshNow } from './handlers';
import type { Onboarding } from './onboarding';
import { describeResult } from './results';

/** Makes the first refresh of a stored connection and tells the operator how consumers read it. */
export async function refreshAndReport(ctx: CommandContext, onboarding: Onboarding): Promise<number> {
  const result = await refreshNow(ctx.aws, ctx.out, onboarding, onboarding.allowed);
  return report(ctx, onboarding, result);
}

async function report(ctx: CommandContext, onboarding: Onboarding, result: OperatorResult): Promise<number> {
  const target = await ctx.aws.target();
  const { connectionId, location, existing } = onboarding;
  const secretName = accessTokenSecretName(target.names.secretPrefix, connectionId);
  const ok = result.outcome === 'refreshed' || result.outcome === 'adopted';
  if (ctx.values.json === true) {
    ctx.out.json({
      connectionId,
      dc: location.dc,
      accountsServer: location.accountsServer,
      clientRef: onboarding.clientRef,
      reactivated: existing !== undefined,
      secretName,
      firstRefresh: result,
    });
  } else {
    ctx.out.line(
      `${existing === undefined ? 'Registered' : 'Re-authorised'} connection '${connectionId}' (${location.dc}, ${location.accountsServer}, client app '${onboarding.clientRef}').`,
    );
    if (ok) {
      const now = Date.now();
      ctx.out.line(
        `First refresh: token version ${result.version}, expires ${relative(result.expiresAt, now)} (${timestamp(result.expiresAt)}).`,
      );
      ctx.out.line('');
      for (const line of consumerHowTo(connectionId, secretName, target.names)) ctx.out.line(line);
    }
  }
  if (ok) return EXIT_OK;
  throw new OperationError(
    `the connection is stored, but its first refresh did not succeed. ${describeResult(connectionId, result)}`,
    nextStep(onboarding, result),
  );
}

/**
 * What to run after a failed first refresh. `refresh` refuses a connection that left the schedule:
 * a misconfigured one comes back with `enable` once the cause is fixed (it keeps its refresh token);
 * one whose token Zoho rejected needs a new authorisation.
 */
function nextStep(onboarding: Onboarding, result: OperatorResult): string {
  const id = onboarding.connectionId;
  // A custom accounts server is refused without the allowance it was registered with.
  const allow = onboarding.allowed.length > 0 ? ' --allow-custom-accounts-server' : '';
  const doctor = `'zoho-tokens doctor ${id}${allow}'`;
  const status = result.outcome === 'failed' ? result.status : 'active';
  if (status === 'misconfigured' || status === 'disabled') {
    return `fix the cause (${doctor} says what), then 'zoho-tokens enable ${id}${allow}' reactivates it with the refresh token it has`;
  }
  if (status === 'reauthorization_required' || status === 'revoked') {
    return `${doctor} says what happened; authorise again with a new code ('zoho-tokens connect') or refresh token ('zoho-tokens add')`;
  }
  return `${doctor} says what to fix; 'zoho-tokens refresh ${id}${allow}' tries again`;
}

/** How a consumer Lambda reads the token: the secret contract (README, "Contracts"). */
export function consumerHowTo(
  connectionId: string,
  secretName: string,
  names: { readonly eventBusName: string; readonly secretPrefix: string },
): string[] {
  const { eventBusName, secretPrefix } = names;
  // The library assumes the default prefix; any other must be named, or it looks for the wrong secret.
  const prefixOption = secretPrefix === DEFAULT_SECRET_PREFIX ? '' : `, secretPrefix: '${secretPrefix}'`;
  return [
    'Consumers read the access token from Secrets Manager:',
    `  secret   ${secretName}`,
    '  value    {"access_token","api_domain","token_type","expires_at","version","connection_id"}',
    'With the consumer library (grant the Lambda grantReadToken(fn, ...) in CDK):',
    "  import { zohoTokenMiddleware } from 'zoho-token-refresher/consumer';",
    `  const zoho = zohoTokenMiddleware({ connectionId: '${connectionId}', eventBusName: '${eventBusName}'${prefixOption} });`,
    "  // in the handler: await context.zoho.fetch('/books/v3/organizations')",
  ];
}
