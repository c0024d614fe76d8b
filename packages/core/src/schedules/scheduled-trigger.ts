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
 * as seen, so publishing a poll does not start a run for each item already there; an empty key marks that the
 * trigger has polled, so forgetting old keys never makes a later poll look like a first one. Keys still
 * returned are kept fresh (at most hourly); those not returned for `retentionDays` are forgotten.
 */
export async function rememberPollItems({
  db,
  workspaceId,
  flowId,
  stepId,
  keys,
  retentionDays,
}: { db: Db; keys: string[]; retentionDays: number } & TriggerAddress): Promise<{
  fresh: Set<string>;
  forgotten: number;
}> {
  return scoped(db, { workspaceId }, async (tx) => {
    const where = { workspaceId, flowId, stepId };
    const firstPoll = !(await tx.pollSeen.findFirst({ where, select: { key: true } }));
    const unique = [...new Set(keys)].filter((key) => key !== POLLED_MARKER);
    const inserted = unique.length
      ? await tx.$queryRaw<{ key: string }[]>`
          INSERT INTO poll_seen AS seen (workspace_id, flow_id, step_id, key)
          SELECT ${workspaceId}::uuid, ${flowId}::uuid, ${stepId}, unnest(${unique}::text[])
          ON CONFLICT (workspace_id, flow_id, step_id, key) DO UPDATE SET seen_at = now()
            WHERE seen.seen_at < now() - interval '1 hour'
          RETURNING key, (xmax = 0) AS inserted`.then((rows) =>
          (rows as { key: string; inserted: boolean }[]).filter((row) => row.inserted),
        )
      : [];
    await tx.pollSeen.createMany({ data: [{ ...where, key: POLLED_MARKER }], skipDuplicates: true });
    const forgotten = await tx.$executeRaw`
      DELETE FROM poll_seen
      WHERE workspace_id = ${workspaceId}::uuid AND flow_id = ${flowId}::uuid AND step_id = ${stepId}
        AND key <> ${POLLED_MARKER} AND seen_at < now() - make_interval(days => ${retentionDays}::int)`;
    return { fresh: firstPoll ? new Set<string>() : new Set(inserted.map((row) => row.key)), forgotten };
  });
}

/** The key that marks a trigger has polled (its first poll only remembers). */
const POLLED_MARKER = "";
