import { type Db, scoped } from "@tributary/db";
import { parseFlowGraph } from "@tributary/engine";
import { notFound } from "../errors/app-error.ts";
import { parsePins } from "./flow-pins.ts";
import type { FlowDetail } from "./flow-views.ts";

export async function getFlow({
  db,
  workspaceId,
  flowId,
}: {
  db: Db;
  workspaceId: string;
  flowId: string;
}): Promise<FlowDetail> {
  const flow = await scoped(db, { workspaceId }, (tx) =>
    tx.flow.findFirst({
      where: { id: flowId, workspaceId },
      select: {
        id: true,
        name: true,
        description: true,
        status: true,
        draft: true,
        draftRevision: true,
        draftUpdatedById: true,
        pins: true,
        maxConcurrentRuns: true,
        updatedAt: true,
        currentVersion: { select: { number: true } },
      },
    }),
  );
  if (!flow) throw notFound("That flow");
  const editor = flow.draftUpdatedById
    ? await db.user.findUnique({ where: { id: flow.draftUpdatedById }, select: { email: true } })
    : null;
  return {
    id: flow.id,
    name: flow.name,
    description: flow.description,
    status: flow.status,
    draft: parseFlowGraph(flow.draft),
    draftRevision: flow.draftRevision,
    draftUpdatedBy: editor?.email ?? null,
    pins: parsePins(flow.pins),
    maxConcurrentRuns: flow.maxConcurrentRuns,
    updatedAt: flow.updatedAt,
    currentVersion: flow.currentVersion?.number ?? null,
  };
}
