/**
 * Reserved concurrency of the connect function, in a file of its own without CDK imports: the
 * connect endpoint reserves it, and the alarm descriptions (plain data) quote it.
 *
 * Concurrent callbacks at most: customers click links one by one; a flood waits or gets 429.
 */
export const CONNECT_CONCURRENCY = 5;
