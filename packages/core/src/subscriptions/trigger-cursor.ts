// Where a polling subscription trigger has read up to, kept in Postgres so a worker that takes the trigger
// over (or restarts) goes on from there.
import { type Db, scoped } from "@tributary/db";

export type TriggerAddress = { workspaceId: string; flowId: string; stepId: string };

export async function loadTriggerCursor({ db, ...address }: { db: Db } & TriggerAddress): Promise<string | null> {
  const row = await scoped(db, { workspaceId: address.workspaceId }, (tx) =>
    tx.triggerCursor.findUnique({ where: { workspaceId_flowId_stepId: address }, select: { cursor: true } }),
  );
  return row?.cursor ?? null;
}

export async function saveTriggerCursor({
  db,
  cursor,
  ...address
}: { db: Db; cursor: string } & TriggerAddress): Promise<void> {
  await scoped(db, { workspaceId: address.workspaceId }, (tx) =>
    tx.triggerCursor.upsert({
      where: { workspaceId_flowId_stepId: address },
      create: { ...address, cursor },
      update: { cursor },
    }),
  );
}
