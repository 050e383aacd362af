/** One HTTP answer of the simulator, before it is written to the socket. */
export interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export function jsonReply(status: number, value: unknown): Reply {
  return { status, contentType: 'application/json;charset=UTF-8', body: JSON.stringify(value) };
}

/** Zoho's token-endpoint errors arrive with HTTP 200 (ZOHO.md §2). */
export function tokenError(error: string, status = 200): Reply {
  return jsonReply(status, { error });
}

/** The throttle bodies Zoho has been seen to send, verbatim (ZOHO.md §2). */
export const THROTTLE_BODIES = {
  old: {
    error: 'Access Denied',
    error_description: 'You have made too many requests continuously. Please try again after some time.',
    status: 'failure',
  },
  new: {
    error: 'Access Denied',
    error_description:
      'Token creation throttle limit reached. Please reuse the valid tokens you currently have.',
  },
  localised: {
    error: '拒绝访问',
    error_description: '您已连续提出过多请求，请稍后再试。',
    status: 'failure',
  },
} as const;

/** What the real throttle answers: the old wording with HTTP 400, the most common capture. */
export const THROTTLED: Reply = jsonReply(400, THROTTLE_BODIES.old);

/** Zoho Books' answer to a missing, expired or unauthorised token, and to a missing scope (ZOHO.md §7). */
export const BOOKS_UNAUTHORIZED: Reply = jsonReply(401, {
  code: 57,
  message: 'You are not authorized to perform this operation',
});

/** Code 44 is one of the rate-limit codes of ZOHO.md §7; the message is our wording. */
export const BOOKS_RATE_LIMITED: Reply = jsonReply(429, {
  code: 44,
  message: 'You have made too many requests. Please try again after some time.',
});

/** ZOHO.md §5 says only "HTTP 400" for revoking an invalid token; this body is our assumption. */
export const REVOKE_UNKNOWN_TOKEN: Reply = jsonReply(400, { status: 'failure', error: 'invalid_token' });

export const NOT_FOUND: Reply = jsonReply(404, { error: 'not_found' });
