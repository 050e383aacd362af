/**
 * Reserved concurrency of the operator function, in a file of its own without CDK imports: the
 * construct reserves it, and the alarm descriptions (which the CLI reads) quote it.
 *
 * Operators' commands come from people (and their scripts), one invocation per command, each at most
 * 60 s (a revoke waits up to 15 s for a refresh's lease, then makes one Zoho call). Three lets an
 * emergency revoke run while two other commands are in flight (a colleague's `doctor`, a revoke
 * waiting for a lease); a script that fans commands out is throttled (the CLI's SDK retries, then
 * reports it) instead of crowding one out. Reserved, not only capped: no other function of the
 * account (a consumer's 401 storm included) can take these three.
 */
export const OPERATOR_CONCURRENCY = 3;
