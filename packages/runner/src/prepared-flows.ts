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
    const flow = prepareFlow({ graph: parseFlowGraph(version.graph), catalog: stepCatalog });
    const entry = { flow, compiled: version.compiled, fit: inMemoryFit(flow) };
    if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
    cache.set(versionId, entry);
    return entry;
  };
}
