// The Redis keys and channels of the run path, in one place, as full names under the installation's prefix
// (REDIS_PREFIX). They are used through the queue connection, which adds no prefix of its own.
export function redisKeys(prefix: string) {
  return {
    /** Runs a workspace has queued: the fair queue's priority for its next run. */
    backlog: (workspaceId: string) => `${prefix}backlog:${workspaceId}`,
    /** Runs of a workspace, or of a flow, executing now (sorted sets scored by when each claim expires). */
    workspaceSlots: (workspaceId: string) => `${prefix}slots:workspace:${workspaceId}`,
    flowSlots: (flowId: string) => `${prefix}slots:flow:${flowId}`,
    /** Pub/sub channel of one run's events. */
    runEvents: (runId: string) => `${prefix}run-events:${runId}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
