import { type Db, scoped } from "@tributary/db";

/**
 * The flows a "Call a flow" step may call, for its picker: published, with a "Called by a flow" trigger in the
 * version that runs, by name.
 */
export async function listCallableFlows({
  db,
  workspaceId,
}: {
  db: Db;
  workspaceId: string;
}): Promise<{ id: string; name: string }[]> {
  return scoped(db, { workspaceId }, (tx) =>
    tx.flow.findMany({
      where: {
        workspaceId,
        currentVersion: { is: { graph: { path: ["steps"], array_contains: [{ type: "trigger.subflow" }] } } },
      },
      orderBy: [{ name: "asc" }, { id: "asc" }],
      select: { id: true, name: true },
      take: 500,
    }),
  );
}
