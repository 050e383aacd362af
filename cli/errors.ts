/**
 * How the CLI reports a failure: `zoho-tokens: <message>` and a hint on stderr, exit 2 for a
 * usage mistake and 1 for an operation that failed. Hints are chosen by error type, never by text.
 */

import {
  MalformedClientCredentialsError,
  RefreshTokenCipherError,
  RefreshTokenCipherRefusedError,
} from '../functions/aws/errors';
import {
  ClientCredentialsNotFoundError,
  ConfigurationError,
  ConnectionAlreadyExistsError,
  ConnectionChangedError,
  ConnectionNotFoundError,
  InvalidInputError,
  MisconfiguredClientError,
  ReauthorizationRequiredError,
  ZohoThrottledError,
  ZohoTokenRefresherError,
  ZohoTransientError,
} from '../functions/core/errors';
import { GrantCodeRejectedError, NoRefreshTokenGrantedError } from '../functions/zoho/errors';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the command was called: exit 2. */
export class UsageError extends ZohoTokenRefresherError {
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super('usage', message);
    this.hint = hint;
  }
}

/** An operation that failed for a reason the command explains itself: exit 1 with its hint. */
export class OperationError extends ZohoTokenRefresherError {
  readonly hint: string | undefined;

  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super('operation_failed', message, options);
    this.hint = hint;
  }
}

/** What to do when the SDK's provider chain finds no credentials, whichever command met it. */
export const AWS_CREDENTIALS_HINT =
  "pass --profile NAME or set AWS_PROFILE (a profile of ~/.aws/config), run 'aws sso login --profile NAME' if its SSO session expired, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";

export interface Reported {
  readonly message: string;
  readonly hint?: string;
  readonly exitCode: number;
}

/**
 * What the command line named, for hints that repeat it (`doctor acme-books`, not `doctor <id>`):
 * only values already checked to be plain names (see `hintContext` in command.ts).
 */
export interface HintContext {
  /** The connection id the command was given (positional or `--id`). */
  readonly connectionId?: string;
  /** The client app of `--client`. */
  readonly clientRef?: string;
  /** True when the data centre was given as `--accounts-server` rather than `--dc`. */
  readonly accountsServerGiven?: boolean;
}

/** Message, hint and exit code of any error a command can throw. Never echoes an input value. */
export function describeFailure(error: unknown, context: HintContext = {}): Reported {
  if (error instanceof UsageError) {
    return withHint(error.message, error.hint ?? 'run the command with --help for its options', EXIT_USAGE);
  }
  if (error instanceof OperationError) return withHint(error.message, error.hint, EXIT_FAILED);
  if (error instanceof InvalidInputError) {
    return withHint(error.message, 'run the command with --help for its options', EXIT_USAGE);
  }
  if (error instanceof ZohoTokenRefresherError)
    return withHint(error.message, hintFor(error, context), EXIT_FAILED);
  return describeAwsOrUnknown(error);
}

function hintFor(error: ZohoTokenRefresherError, context: HintContext): string | undefined {
  const id = context.connectionId ?? '<id>';
  if (error instanceof ConnectionNotFoundError) return "list the connections with 'zoho-tokens status'";
  if (error instanceof ConnectionAlreadyExistsError) {
    return `choose another --id, or 'zoho-tokens revoke ${id}' the active connection first`;
  }
  if (error instanceof ConnectionChangedError) {
    return 'another operator or a refresh got there first: run the command again if it still applies to what status shows now';
  }
  if (error instanceof ClientCredentialsNotFoundError || error instanceof MalformedClientCredentialsError) {
    // The message names the client app already; the hint repeats it.
    const client =
      error instanceof MalformedClientCredentialsError ? error.clientRef : (context.clientRef ?? '<name>');
    return `store the client app with 'zoho-tokens clients put --client ${client} --client-id <id> --client-secret -'`;
  }
  if (error instanceof GrantCodeRejectedError) {
    return 'Self Client: Zoho API console → Self Client → Generate Code, then run connect again within 3 minutes; server-based client: authorise again and run connect within 60 seconds of the redirect';
  }
  if (error instanceof NoRefreshTokenGrantedError)
    return "or use 'zoho-tokens add' with a refresh token you have";
  if (error instanceof MisconfiguredClientError && error.zohoError === 'invalid_redirect_uri') {
    return "a server-based client's code needs --redirect-uri, character for character the Authorized Redirect URI of the client in Zoho's API console; if the code has expired meanwhile (60 s), authorise again";
  }
  if (error instanceof MisconfiguredClientError) {
    const where =
      context.accountsServerGiven === true
        ? "check that the accounts server is the user's data centre (the accounts-server of their authorisation redirect)"
        : "check --dc first (it must be the data centre where the user's Zoho account lives)";
    return `${where}, then the client id and secret ('zoho-tokens clients put', per DC with --dc)`;
  }
  if (error instanceof ReauthorizationRequiredError) {
    return `authorise again: 'zoho-tokens connect --id ${id} ...' with a new code, or 'zoho-tokens add' with a new refresh token`;
  }
  if (error instanceof ZohoThrottledError)
    return 'Zoho blocks token requests for 10 minutes; wait and try again';
  if (error instanceof ZohoTransientError) return 'Zoho did not answer usefully; try again in a minute';
  if (error instanceof RefreshTokenCipherError || error instanceof RefreshTokenCipherRefusedError) {
    return 'check that your AWS credentials may use the refresh-token key (kms:Encrypt / kms:Decrypt) and that --key names it';
  }
  if (error instanceof ConfigurationError) return undefined;
  return undefined;
}

/** The SDK's names for "no usable credentials" (a class per package copy: the name is what is stable). */
const CREDENTIALS_MISSING = new Set(['CredentialsProviderError', 'TokenProviderError']);

/** True for the SDK's "no credentials" errors of its provider chain (SSO token providers included). */
export function isCredentialsMissing(error: unknown): boolean {
  return error instanceof Error && CREDENTIALS_MISSING.has(error.name);
}

/** AWS's names for credentials it does not accept: expired, unknown or mis-signed (not a missing permission). */
const CREDENTIALS_REFUSED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
]);

/** AWS SDK errors carry `$metadata`; their messages name resources, never our secret values. */
function describeAwsOrUnknown(error: unknown): Reported {
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  const code =
    (error as { code?: unknown; cause?: { code?: unknown } } | undefined)?.code ??
    (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || name === 'TimeoutError') {
    return withHint(
      `cannot reach AWS (${String(code ?? name)})`,
      'is the emulator running at --aws-endpoint? Without it, check your network and --region',
      EXIT_FAILED,
    );
  }
  if (name === 'ResourceNotFoundException' || name === 'QueueDoesNotExist' || name === 'NotFoundException') {
    return withHint(
      `AWS ${name}: ${message}`,
      "against an emulator run 'npm run local -- init' first; in AWS check --stack, --table, --bus and --key",
      EXIT_FAILED,
    );
  }
  // Met after the target was resolved (with --table/--bus/--key, or an SSO session that expired
  // meanwhile); the SDK's message is about its chain ("Could not load credentials from any providers").
  if (isCredentialsMissing(error)) {
    return withHint('No AWS credentials found', AWS_CREDENTIALS_HINT, EXIT_FAILED);
  }
  if (CREDENTIALS_REFUSED.has(name)) {
    return withHint(
      `AWS ${name}: ${message}`,
      "AWS refused the credentials themselves: run 'aws sso login' (or renew them) for the profile in use",
      EXIT_FAILED,
    );
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return withHint(
      `AWS ${name}: ${message}`,
      "your credentials lack a permission: the construct's grantOperate(principal) grants what the CLI needs (see the README's 'What an operator's credentials need')",
      EXIT_FAILED,
    );
  }
  if ((error as { $metadata?: unknown } | undefined)?.$metadata !== undefined) {
    return withHint(`AWS ${name}: ${message}`, undefined, EXIT_FAILED);
  }
  return withHint(`unexpected ${name}: ${message}`, undefined, EXIT_FAILED);
}

function withHint(message: string, hint: string | undefined, exitCode: number): Reported {
  return hint === undefined ? { message, exitCode } : { message, hint, exitCode };
}
