/** PLACEHOLDER until the engine's queue definition lands: replaced by its shared settings. */
export const REFRESH_QUEUE_SETTINGS = { visibilityTimeoutSeconds: 360, maxReceiveCount: 5 } as const;
