/**
 * A small evaluator of identity-policy statements, enough to ask a synthesized template "may this
 * principal do X?": Allow and Deny, Action and Resource with IAM's `*` and `?` wildcards (which span
 * `/`), and the StringEquals / StringLike conditions the consumer grants use. Anything else (NotAction,
 * other operators, unresolved intrinsics) throws, so a policy that grows beyond it fails the tests
 * loudly instead of being judged wrongly.
 */

export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
  readonly [other: string]: unknown;
}

export interface AccessRequest {
  readonly action: string;
  readonly resource: string;
  /** Condition keys of the request (for PutEvents: events:source and events:detail-type of the entry). */
  readonly context?: Readonly<Record<string, string>>;
}

/** IAM's wildcard match: `*` any run of characters (slashes included), `?` exactly one. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/** Whether the statements allow the request: some Allow matches and no Deny does. */
export function allows(statements: readonly PolicyStatement[], request: AccessRequest): boolean {
  const matching = statements.filter((statement) => matches(statement, request));
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}

function matches(statement: PolicyStatement, request: AccessRequest): boolean {
  for (const key of Object.keys(statement)) {
    if (!['Effect', 'Action', 'Resource', 'Condition', 'Sid'].includes(key)) {
      throw new Error(`the evaluator does not understand ${key}`);
    }
  }
  const actions = [statement.Action].flat();
  if (!actions.some((action) => wildcardMatch(action, request.action, true))) return false;
  const resources = [statement.Resource].flat().map(resolved);
  if (!resources.some((resource) => wildcardMatch(resource, request.resource))) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, expected, request)),
  );
}

function conditionHolds(
  operator: string,
  key: string,
  expected: string | readonly string[],
  request: AccessRequest,
): boolean {
  // Condition keys are case-insensitive; their values are not (for these operators).
  const actual = Object.entries(request.context ?? {}).find(
    ([k]) => k.toLowerCase() === key.toLowerCase(),
  )?.[1];
  if (actual === undefined) return false;
  const values = [expected].flat();
  if (operator === 'StringEquals') return values.includes(actual);
  if (operator === 'StringLike') return values.some((value) => wildcardMatch(value, actual));
  throw new Error(`the evaluator does not understand the condition operator ${operator}`);
}

/** Test stacks use a fixed environment, so every resource should be a plain string by now. */
function resolved(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  throw new Error(`resolve ${JSON.stringify(resource)} before evaluating`);
}
