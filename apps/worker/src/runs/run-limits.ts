// The concurrency limits a run's slots are claimed under (its workspace's plan, its flow's own setting), read
// once every few seconds per flow and served from memory meanwhile: a changed limit applies within `ttlMs`,
// and no run waits for the refresh (the stale value serves while it is under way).
import { type Db, loadRunLimits, type RunLimits } from "@tributary/core";

export function createRunLimits({
  db,
  ttlMs = 5_000,
  capacity = 10_000,
}: {
  db: Db;
  ttlMs?: number;
  capacity?: number;
}) {
  const cache = new Map<string, { at: number; limits: Promise<RunLimits> }>();
  const load = (workspaceId: string, flowId: string) => {
    const limits = loadRunLimits({ db, workspaceId, flowId });
    const entry = { at: Date.now(), limits };
    // A failed load is not kept.
    limits.catch(() => {
      if (cache.get(flowId) === entry) cache.delete(flowId);
    });
    if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
    cache.set(flowId, entry);
    return entry;
  };
  return function limitsOf({ workspaceId, flowId }: { workspaceId: string; flowId: string }): Promise<RunLimits> {
    const hit = cache.get(flowId);
    if (!hit) return load(workspaceId, flowId).limits;
    if (Date.now() - hit.at > ttlMs) {
      const fresh = load(workspaceId, flowId);
      // Serve the old value until the new one is in.
      cache.set(flowId, { ...hit, at: Date.now() });
      fresh.limits.then(
        () => cache.set(flowId, fresh),
        () => undefined,
      );
    }
    return hit.limits;
  };
}
