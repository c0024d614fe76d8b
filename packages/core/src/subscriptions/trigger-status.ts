// How each subscription trigger (queue, stream, topic, listener) is doing, as the worker holding it last saw:
// consuming, retrying (it could not start or its source went away; it is started again with growing pauses) or
// failing (three or more failures in a row), with the last error and when. Kept in Redis, one hash per flow, for
// as long as the worker's lease: a status nobody renews (a dead worker) disappears with it.
import type { Redis } from "ioredis";

export type TriggerState = "consuming" | "retrying" | "failing";

export type TriggerStatus = {
  stepId: string;
  state: TriggerState;
  /** When the trigger entered its state. */
  since: string;
  failures: number;
  lastError: string | null;
  lastErrorAt: string | null;
};

/** Failures in a row after which a retrying trigger is shown as failing. */
export const FAILING_AFTER = 3;

const keyOf = (workspaceId: string, flowId: string) => `trigger-status:${workspaceId}:${flowId}`;

export async function recordTriggerStatus({
  redis,
  workspaceId,
  flowId,
  status,
  ttlMs,
}: {
  redis: Redis;
  workspaceId: string;
  flowId: string;
  status: TriggerStatus;
  ttlMs: number;
}): Promise<void> {
  const key = keyOf(workspaceId, flowId);
  await redis.multi().hset(key, status.stepId, JSON.stringify(status)).pexpire(key, ttlMs).exec();
}

/** Keeps a flow's statuses alive for another lease (called on every sync by the worker holding its triggers). */
export async function renewTriggerStatus({
  redis,
  workspaceId,
  flowId,
  ttlMs,
}: {
  redis: Redis;
  workspaceId: string;
  flowId: string;
  ttlMs: number;
}): Promise<void> {
  await redis.pexpire(keyOf(workspaceId, flowId), ttlMs);
}

export async function clearTriggerStatus({
  redis,
  workspaceId,
  flowId,
  stepId,
}: {
  redis: Redis;
  workspaceId: string;
  flowId: string;
  stepId: string;
}): Promise<void> {
  await redis.hdel(keyOf(workspaceId, flowId), stepId);
}

/** The statuses of the subscription triggers of these flows, by flow id (flows without any are left out). */
export async function triggerStatuses({
  redis,
  workspaceId,
  flowIds,
}: {
  redis: Redis;
  workspaceId: string;
  flowIds: readonly string[];
}): Promise<Record<string, TriggerStatus[]>> {
  if (!flowIds.length) return {};
  const pipeline = redis.pipeline();
  for (const flowId of flowIds) pipeline.hgetall(keyOf(workspaceId, flowId));
  const answers = (await pipeline.exec()) ?? [];
  const byFlow: Record<string, TriggerStatus[]> = {};
  answers.forEach(([error, fields], index) => {
    const flowId = flowIds[index];
    if (error || !flowId) return;
    const statuses = Object.values(fields as Record<string, string>).map((raw) => JSON.parse(raw) as TriggerStatus);
    if (statuses.length) byFlow[flowId] = statuses.sort((a, b) => a.stepId.localeCompare(b.stepId));
  });
  return byFlow;
}
