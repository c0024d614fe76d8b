import { type Db, scoped } from "@tributary/db";
import { type FlowGraph, parseFlowGraph } from "@tributary/engine";
import { z } from "zod";
import { notFound } from "../errors/app-error.ts";

export const listVersionsInput = z.object({ flowId: z.uuid() });

export type FlowVersionSummary = {
  id: string;
  number: number;
  publishedBy: string | null;
  createdAt: Date;
  current: boolean;
};

export async function listFlowVersions({
  db,
  workspaceId,
  flowId,
}: { db: Db; workspaceId: string } & z.output<typeof listVersionsInput>): Promise<FlowVersionSummary[]> {
  const { versions, flow } = await scoped(db, { workspaceId }, async (tx) => ({
    versions: await tx.flowVersion.findMany({
      // Versions below zero are test runs of drafts, not published versions.
      where: { workspaceId, flowId, number: { gt: 0 } },
      orderBy: { number: "desc" },
      select: { id: true, number: true, publishedById: true, createdAt: true },
    }),
    flow: await tx.flow.findFirst({ where: { id: flowId, workspaceId }, select: { currentVersionId: true } }),
  }));
  // Another workspace's flow (or none) is not found, not a flow without versions.
  if (!flow) throw notFound("That flow");
  const { currentVersionId } = flow;
  const publishers = await db.user.findMany({
    where: { id: { in: [...new Set(versions.map((v) => v.publishedById).filter((id): id is string => Boolean(id)))] } },
    select: { id: true, email: true },
  });
  const emails = new Map(publishers.map((p) => [p.id, p.email]));
  return versions.map((v) => ({
    id: v.id,
    number: v.number,
    publishedBy: v.publishedById ? (emails.get(v.publishedById) ?? null) : null,
    createdAt: v.createdAt,
    current: v.id === currentVersionId,
  }));
}

export const getVersionInput = z.object({ flowId: z.uuid(), versionId: z.uuid() });

/** One published version's graph, to view or to restore into the draft. */
export async function getFlowVersion({
  db,
  workspaceId,
  flowId,
  versionId,
}: { db: Db; workspaceId: string } & z.output<typeof getVersionInput>): Promise<{ number: number; graph: FlowGraph }> {
  const version = await scoped(db, { workspaceId }, (tx) =>
    tx.flowVersion.findFirst({
      where: { id: versionId, flowId, workspaceId, number: { gt: 0 } },
      select: { number: true, graph: true },
    }),
  );
  if (!version) throw notFound("That version");
  return { number: version.number, graph: parseFlowGraph(version.graph) };
}
