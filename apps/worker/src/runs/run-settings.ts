// What a flow's runs are run under (concurrency limits, the plan's limits on a run, the workspace's settings),
// read once every few seconds per flow and served from memory meanwhile: a change applies within `ttlMs`, and
// no run waits for the refresh (the stale value serves while it is under way).
import { type Db, loadRunSettings, type RunSettings } from "@tributary/core";

export type RunSettingsCache = (flow: { workspaceId: string; flowId: string }) => Promise<RunSettings | null>;

export function createRunSettings({
  db,
  ttlMs = 5_000,
  capacity = 10_000,
}: {
  db: Db;
  ttlMs?: number;
  capacity?: number;
}): RunSettingsCache {
  const cache = new Map<string, { at: number; settings: Promise<RunSettings | null> }>();
  const load = (workspaceId: string, flowId: string) => {
    const settings = loadRunSettings({ db, workspaceId, flowId });
    const entry = { at: Date.now(), settings };
    // A failed load is not kept.
    settings.catch(() => {
      if (cache.get(flowId) === entry) cache.delete(flowId);
    });
    if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
    cache.set(flowId, entry);
    return entry;
  };
  return function settingsOf({ workspaceId, flowId }) {
    const hit = cache.get(flowId);
    if (!hit) return load(workspaceId, flowId).settings;
    if (Date.now() - hit.at > ttlMs) {
      const fresh = load(workspaceId, flowId);
      // Serve the old value until the new one is in.
      cache.set(flowId, { ...hit, at: Date.now() });
      fresh.settings.then(
        () => cache.set(flowId, fresh),
        () => undefined,
      );
    }
    return hit.settings;
  };
}
