/**
 * What tells one `ZohoTokenRefresher` from another: its metrics (namespace and `service`), its
 * secrets (the prefix), its stack outputs (a key prefix). A single refresher needs none of it and
 * keeps the defaults; every further one in the same account and region needs an `instanceName`,
 * from which the rest follows. Two refreshers that would share metrics, secrets or outputs fail the
 * synth: sharing metrics would make one's alarms fire on the other's failures, and sharing a secret
 * prefix would let each refresher overwrite the other's tokens.
 */
import { Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { MetricsIdentity } from '../functions/aws/metrics-identity';
import { DEFAULT_SECRET_PREFIX, SERVICE_NAME } from '../functions/aws/names';
import { ConfigurationError } from '../functions/core/errors';

/** Lowercase letters and digits: it lands in a service name, a secret prefix and output keys (alphanumeric). */
const INSTANCE_NAME = /^[a-z][a-z0-9]{0,19}$/;

/** The identity of one refresher, after defaults. */
export interface InstanceIdentity {
  readonly instanceName: string | undefined;
  readonly metrics: MetricsIdentity;
  /** Prepended to the stack output keys: '' without an instance name, else the name capitalised (`Dev`). */
  readonly outputPrefix: string;
}

/** Checks `instanceName` (throws ConfigurationError) and derives the identity from it. */
export function instanceIdentity(
  instanceName: string | undefined,
  metricsNamespace: string,
): InstanceIdentity {
  if (instanceName !== undefined && (Token.isUnresolved(instanceName) || !INSTANCE_NAME.test(instanceName))) {
    throw new ConfigurationError(
      `ZohoTokenRefresher: instanceName must be 1-20 lowercase letters and digits, starting with a letter, and not a token (got ${JSON.stringify(instanceName.slice(0, 40))})`,
    );
  }
  return {
    instanceName,
    metrics: {
      namespace: metricsNamespace,
      service: instanceName === undefined ? SERVICE_NAME : `${SERVICE_NAME}-${instanceName}`,
    },
    outputPrefix:
      instanceName === undefined ? '' : `${instanceName.charAt(0).toUpperCase()}${instanceName.slice(1)}`,
  };
}

/**
 * The secret prefix of an instance that names none: a sibling of the default prefix, never a path
 * under it (`zoho-token-refresher/dev` would fall inside the default instance's `zoho-token-refresher/*`
 * grants, since IAM's `*` spans `/`).
 */
export const defaultSecretPrefix = (instanceName: string | undefined) =>
  instanceName === undefined ? DEFAULT_SECRET_PREFIX : `${DEFAULT_SECRET_PREFIX}-${instanceName}`;

/** What an instance holds for itself in its account and region. */
export interface InstanceClaim {
  readonly identity: InstanceIdentity;
  readonly secretPrefix: string;
}

const CLAIM = Symbol.for('zoho-token-refresher.instance-claim');

type Claimed = Construct & { readonly [CLAIM]?: InstanceClaim };

/**
 * Records `claim` on `refresher` after checking it against every refresher already in the app
 * that may share its account and region (an environment-agnostic stack may share any). Throws
 * ConfigurationError naming both construct paths.
 */
export function claimInstance(refresher: Construct, claim: InstanceClaim): void {
  const stack = Stack.of(refresher);
  for (const other of refresher.node.root.node.findAll()) {
    const theirs = (other as Claimed)[CLAIM];
    if (theirs === undefined || other === refresher) continue;
    const otherStack = Stack.of(other);
    if (!mayBeSame(stack.account, otherStack.account) || !mayBeSame(stack.region, otherStack.region))
      continue;
    const clash = clashOf(claim, theirs, stack === otherStack);
    if (clash !== undefined) {
      throw new ConfigurationError(
        `ZohoTokenRefresher: ${refresher.node.path} and ${other.node.path} ${clash}; give each refresher its own instanceName (e.g. 'dev', 'prod')`,
      );
    }
  }
  Object.defineProperty(refresher, CLAIM, { value: claim });
}

const mayBeSame = (a: string, b: string) => Token.isUnresolved(a) || Token.isUnresolved(b) || a === b;

function clashOf(mine: InstanceClaim, theirs: InstanceClaim, sameStack: boolean): string | undefined {
  const [a, b] = [mine.identity.metrics, theirs.identity.metrics];
  if (a.namespace === b.namespace && a.service === b.service) {
    return `would write the same metrics (namespace ${a.namespace}, service ${a.service}) in one account and region, so each one's alarms would fire on the other's failures`;
  }
  if (overlap(mine.secretPrefix, theirs.secretPrefix)) {
    return `would share secrets (prefixes '${mine.secretPrefix}' and '${theirs.secretPrefix}'), so each could overwrite the other's tokens; set different secretPrefix values that are not paths of each other, or leave them to the instanceName`;
  }
  if (sameStack && mine.identity.outputPrefix === theirs.identity.outputPrefix) {
    return 'are in one stack under the same instanceName, so their outputs would collide';
  }
  return undefined;
}

/** Equal, or one a path under the other (IAM's `*` after `<prefix>/` reaches into it). */
const overlap = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
