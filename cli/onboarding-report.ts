/** The end of `connect` and `add`: the first refresh, and how consumers read the token. */
import { accessTokenSecretName, DEFAULT_SECRET_PREFIX } from '../functions/aws/names';
import type { OnDemandResult } from '../functions/on-demand-refresh/token-rejected-handler';
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

async function report(ctx: CommandContext, onboarding: Onboarding, result: OnDemandResult): Promise<number> {
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
    `'zoho-tokens doctor ${connectionId}' says what to fix; 'zoho-tokens refresh ${connectionId}' tries again`,
  );
}

/** How a consumer Lambda reads the token: the contract of DESIGN.md. */
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
