// A flow as a file (docs/flow-format.md, "Flow files"): its draft with connections, security rules and called
// flows named, not given by id, so the file can be pushed into another workspace.
import { type Db, scoped } from "@tributary/db";
import { type FlowGraph, parseFlowGraph } from "@tributary/engine";
import { notFound } from "../errors/app-error.ts";
import { portableGraph } from "./flow-references.ts";

export type FlowFile = { format: "tributary.flow"; name: string; description: string; graph: FlowGraph };

export async function exportFlow({
  db,
  workspaceId,
  flowId,
}: {
  db: Db;
  workspaceId: string;
  flowId: string;
}): Promise<FlowFile> {
  return scoped(db, { workspaceId }, async (tx) => {
    const flow = await tx.flow.findFirst({
      where: { id: flowId, workspaceId },
      select: { name: true, description: true, draft: true },
    });
    if (!flow) throw notFound("That flow");
    const graph = await portableGraph({ tx, workspaceId, graph: parseFlowGraph(flow.draft) });
    return { format: "tributary.flow" as const, name: flow.name, description: flow.description, graph };
  });
}
