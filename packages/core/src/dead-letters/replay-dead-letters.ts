// Replaying and discarding dead letters. A replay is a re-run on the flow's current version (the usual case:
// the cause was fixed and published); replaying them all is a bulk re-run of the flow's open dead letters,
// so it runs in the background with its progress on the page and in the REST API.
import type { Db } from "@tributary/db";
import { scoped } from "@tributary/db";
import type { JobQueue } from "@tributary/queue";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import { type BulkRerunView, startBulkRerun } from "../runs/bulk-rerun.ts";
import { rerun } from "../runs/rerun-run.ts";
import { deadLetterWhere } from "./dead-letter-state.ts";

export const deadLetterIdsInput = z.object({ flowId: z.uuid(), runIds: z.array(z.uuid()).min(1).max(200) });
export const replayAllDeadLettersInput = z.object({ flowId: z.uuid() });

type Options = { db: Db; workspaceId: string; actor: Actor };

/** The runs asked for, refusing any that is not a dead letter of the flow (nothing is done then). */
async function deadLettersOf({
  db,
  workspaceId,
  flowId,
  runIds,
}: Omit<Options, "actor"> & z.output<typeof deadLetterIdsInput>) {
  const unique = [...new Set(runIds)];
  const found = await scoped(db, { workspaceId }, (tx) =>
    tx.run.findMany({
      where: { AND: [{ workspaceId, flowId, id: { in: unique } }, deadLetterWhere(null)] },
      select: { id: true },
    }),
  );
  const missing = unique.filter((id) => !found.some((run) => run.id === id));
  if (missing.length) throw notFound(`The dead letter ${missing[0]} of this flow`);
  return unique;
}

export async function replayDeadLetters({
  db,
  queue,
  workspaceId,
  actor,
  flowId,
  runIds,
}: Options & { queue: JobQueue } & z.output<typeof deadLetterIdsInput>): Promise<{
  replayed: { runId: string; replayRunId: string }[];
  failed: { runId: string; error: string }[];
}> {
  const ids = await deadLettersOf({ db, workspaceId, flowId, runIds });
  const replayed: { runId: string; replayRunId: string }[] = [];
  const failed: { runId: string; error: string }[] = [];
  for (const runId of ids) {
    try {
      const started = await rerun({ db, queue, workspaceId, runId, version: "current" });
      replayed.push({ runId, replayRunId: started.runId });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      failed.push({ runId, error: error.message });
    }
  }
  await scoped(db, { workspaceId }, (tx) =>
    recordAudit({
      tx,
      workspaceId,
      actor,
      action: "dead_letters.replayed",
      target: { type: "flow", id: flowId },
      details: { runIds: replayed.map((r) => r.runId), failed: failed.length },
    }),
  );
  return { replayed, failed };
}

/** Replays every open dead letter of the flow on its current version, in the background. */
export async function replayAllDeadLetters({
  db,
  queue,
  workspaceId,
  actor,
  flowId,
}: Options & { queue: JobQueue } & z.output<typeof replayAllDeadLettersInput>): Promise<BulkRerunView> {
  const open = await scoped(db, { workspaceId }, (tx) =>
    tx.run.count({ where: { AND: [{ workspaceId, flowId }, deadLetterWhere("open")] } }),
  );
  if (!open) throw new AppError("PRECONDITION_FAILED", "This flow has no open dead letters; nothing to replay.");
  const bulk = await startBulkRerun({
    db,
    queue,
    workspaceId,
    actor,
    version: "current",
    filter: { flowId, status: "failed", deadLetter: "open" },
  });
  await scoped(db, { workspaceId }, (tx) =>
    recordAudit({
      tx,
      workspaceId,
      actor,
      action: "dead_letters.replayed",
      target: { type: "flow", id: flowId },
      details: { all: true, bulkRerunId: bulk.id, total: bulk.total },
    }),
  );
  return bulk;
}

export async function discardDeadLetters({
  db,
  workspaceId,
  actor,
  flowId,
  runIds,
}: Options & z.output<typeof deadLetterIdsInput>): Promise<{ discarded: number }> {
  const ids = await deadLettersOf({ db, workspaceId, flowId, runIds });
  await scoped(db, { workspaceId }, async (tx) => {
    const data = { state: "discarded", actorId: actor.userId, updatedAt: new Date() };
    await tx.deadLetter.updateMany({ where: { runId: { in: ids } }, data });
    await tx.deadLetter.createMany({
      data: ids.map((runId) => ({ runId, workspaceId, flowId, ...data })),
      skipDuplicates: true,
    });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "dead_letters.discarded",
      target: { type: "flow", id: flowId },
      details: { runIds: ids },
    });
  });
  return { discarded: ids.length };
}
