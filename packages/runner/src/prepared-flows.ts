// Flow versions are immutable, so each is parsed and prepared once per process and kept (LRU), with the
// judgement of which of its runs may run in memory.
import { stepCatalog } from "@tributary/connectors";
import { type Db, loadFlowVersion } from "@tributary/core";
import { type PreparedFlow, parseFlowGraph, prepareFlow } from "@tributary/engine";
import { type InMemoryFit, inMemoryFit } from "./in-memory-fit.ts";

type Entry = {
  flow: PreparedFlow;
  compiled: Record<string, { code: string; sourceMap: string }>;
  fit: InMemoryFit;
};

export function createPreparedFlows({ db, capacity = 500 }: { db: Db; capacity?: number }) {
  // Promises, so the runs that find a version missing together (a worker starting on a backlog: one per run it
  // takes at once) share one read of it instead of a database connection each.
  const cache = new Map<string, Promise<Entry>>();
  return function preparedFlow({ workspaceId, versionId }: { workspaceId: string; versionId: string }): Promise<Entry> {
    const hit = cache.get(versionId);
    if (hit) {
      cache.delete(versionId);
      cache.set(versionId, hit);
      return hit;
    }
    const entry = loadFlowVersion({ db, workspaceId, versionId }).then((version) => {
      const flow = prepareFlow({ graph: parseFlowGraph(version.graph), catalog: stepCatalog });
      return { flow, compiled: version.compiled, fit: inMemoryFit(flow) };
    });
    // A failed read is not kept.
    entry.catch(() => {
      if (cache.get(versionId) === entry) cache.delete(versionId);
    });
    if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
    cache.set(versionId, entry);
    return entry;
  };
}
