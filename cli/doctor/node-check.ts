/**
 * The Node version the CLI runs on. The AWS SDK would print a nine-line NodeVersionSupportWarning on
 * every command under Node 20 (bin/zoho-tokens.js turns it off); the doctor says it once, here.
 */
import { type Check, ok } from './check';

/** The Lambda runtime of the functions, and what AWS SDK releases from January 2027 require. */
const LAMBDA_NODE_MAJOR = 22;

export function nodeCheck(version: string = process.version): Check {
  const major = Number.parseInt(version.replace(/^v/, ''), 10);
  return ok(
    'node',
    major >= LAMBDA_NODE_MAJOR
      ? `Node ${version}, as the functions' Lambda runtime (Node ${LAMBDA_NODE_MAJOR})`
      : `Node ${version} works; the functions run on Node ${LAMBDA_NODE_MAJOR}, and AWS SDK releases from January 2027 need it: upgrade before updating the SDK`,
  );
}
