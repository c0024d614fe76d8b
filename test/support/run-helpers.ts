// Building, publishing and waiting for flows in integration tests, through the same core functions the API uses.

import { setTimeout as sleep } from "node:timers/promises";
import { type Actor, createFlow, type Db, getRun, publishFlow, type RunDetail } from "@tributary/core";
import type { FlowGraph } from "@tributary/engine";

export async function publishedFlow({
  db,
  workspaceId,
  actor,
  graph,
  name = "Test flow",
}: {
  db: Db;
  workspaceId: string;
  actor: Actor;
  graph: FlowGraph;
  name?: string;
}): Promise<string> {
  const { id } = await createFlow({ db, workspaceId, actor, name, description: "", graph });
  await publishFlow({ db, workspaceId, actor, flowId: id });
  return id;
}

const ENDED = new Set(["succeeded", "failed", "cancelled"]);

/** Polls the run until `until` holds (by default: it ended); generous, for a busy machine. */
export async function waitForRun({
  db,
  workspaceId,
  runId,
  timeoutMs = 60_000,
  until = (run) => ENDED.has(run.status),
}: {
  db: Db;
  workspaceId: string;
  runId: string;
  timeoutMs?: number;
  until?: (run: RunDetail) => boolean;
}): Promise<RunDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun({ db, workspaceId, runId });
    if (until(run)) return run;
    if (Date.now() > deadline)
      throw new Error(
        `Run ${runId} did not reach the expected state; it is ${run.status}: ${JSON.stringify(run.error)}`,
      );
    await sleep(50);
  }
}

export function graph(
  steps: [string, string, Record<string, unknown>?][],
  edges: [string, string, string?][],
): FlowGraph {
  return {
    version: 1,
    steps: steps.map(([id, type, config]) => ({ id, type, config: config ?? {} })),
    edges: edges.map(([from, to, output]) => ({ from, to, output: output ?? "out" })),
  };
}
