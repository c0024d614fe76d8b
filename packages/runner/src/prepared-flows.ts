// Flow versions are immutable, so each is parsed and prepared once per process and kept (LRU).
import { stepCatalog } from "@tributary/connectors";
import { type Db, loadFlowVersion } from "@tributary/core";
import { type PreparedFlow, parseFlowGraph, prepareFlow } from "@tributary/engine";

type Entry = { flow: PreparedFlow; compiled: Record<string, { code: string; sourceMap: string }> };

export function createPreparedFlows({ db, capacity = 500 }: { db: Db; capacity?: number }) {
  const cache = new Map<string, Entry>();
  return async function preparedFlow({
    workspaceId,
    versionId,
  }: {
    workspaceId: string;
    versionId: string;
  }): Promise<Entry> {
    const hit = cache.get(versionId);
    if (hit) {
      cache.delete(versionId);
      cache.set(versionId, hit);
      return hit;
    }
    const version = await loadFlowVersion({ db, workspaceId, versionId });
    const entry = {
      flow: prepareFlow({ graph: parseFlowGraph(version.graph), catalog: stepCatalog }),
      compiled: version.compiled,
    };
    if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
    cache.set(versionId, entry);
    return entry;
  };
}
