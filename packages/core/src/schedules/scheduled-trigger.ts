// What a tick of a schedule or polling trigger reads and writes in Postgres: the trigger as published, and
// the item keys a polling trigger has seen.
import { type Db, scoped } from "@tributary/db";
import { type FlowStep, parseFlowGraph } from "@tributary/engine";
import { SCHEDULED_TRIGGERS } from "./reconcile-schedules.ts";

export type TriggerAddress = { workspaceId: string; flowId: string; stepId: string };

/** The trigger step of an active flow's published version, or null when it no longer fires. */
export async function loadScheduledTrigger({
  db,
  workspaceId,
  flowId,
  stepId,
}: { db: Db } & TriggerAddress): Promise<{ step: FlowStep; allowedHosts: string[]; planId: string } | null> {
  const flow = await scoped(db, { workspaceId }, (tx) =>
    tx.flow.findFirst({
      where: { id: flowId, workspaceId },
      select: {
        status: true,
        currentVersion: { select: { graph: true } },
        workspace: { select: { allowedHosts: true, planId: true } },
      },
    }),
  );
  if (flow?.status !== "active" || !flow.currentVersion) return null;
  const step = parseFlowGraph(flow.currentVersion.graph).steps.find((candidate) => candidate.id === stepId);
  if (!step || !SCHEDULED_TRIGGERS.has(step.type)) return null;
  return { step, allowedHosts: flow.workspace.allowedHosts, planId: flow.workspace.planId };
}

/**
 * Remembers a poll's item keys and returns those not seen before. On a trigger's first poll every key counts
 * as seen, so publishing a poll does not start a run for each item already there.
 */
export async function rememberPollItems({
  db,
  workspaceId,
  flowId,
  stepId,
  keys,
}: { db: Db; keys: string[] } & TriggerAddress): Promise<Set<string>> {
  return scoped(db, { workspaceId }, async (tx) => {
    const where = { workspaceId, flowId, stepId };
    const firstPoll = (await tx.pollSeen.count({ where })) === 0;
    const unique = [...new Set(keys)];
    const inserted = unique.length
      ? await tx.$queryRaw<{ key: string }[]>`
          INSERT INTO poll_seen (workspace_id, flow_id, step_id, key)
          SELECT ${workspaceId}::uuid, ${flowId}::uuid, ${stepId}, unnest(${unique}::text[])
          ON CONFLICT DO NOTHING RETURNING key`
      : [];
    // An empty first poll still counts: an empty key marks that this trigger has polled.
    if (firstPoll && !unique.length) await tx.pollSeen.create({ data: { ...where, key: "" } });
    return firstPoll ? new Set<string>() : new Set(inserted.map((row) => row.key));
  });
}
