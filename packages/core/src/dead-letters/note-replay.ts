import { type Db, scoped } from "@tributary/db";
import { isDeadLetter } from "./dead-letter-state.ts";

/** After a re-run of a run that is a dead letter (from its page, the Runs page or a bulk re-run): replayed. */
export async function noteReplay({
  db,
  workspaceId,
  run,
  replayRunId,
}: {
  db: Db;
  workspaceId: string;
  run: { id: string; flowId: string; status: string; isTest: boolean; trigger: string };
  replayRunId: string;
}): Promise<void> {
  if (!isDeadLetter(run)) return;
  const data = { state: "replayed", replayRunId, actorId: null, updatedAt: new Date() };
  await scoped(db, { workspaceId }, (tx) =>
    tx.deadLetter.upsert({
      where: { runId: run.id },
      create: { runId: run.id, workspaceId, flowId: run.flowId, ...data },
      update: data,
    }),
  );
}
