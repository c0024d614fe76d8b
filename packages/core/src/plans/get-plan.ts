import { type Db, type Plan, scoped } from "@tributary/db";

export type PlanLimits = Omit<Plan, "id" | "name"> & { planId: string };

/** The limits of the workspace's plan (limits are data: see the plans table). */
export async function getPlanLimits({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<PlanLimits> {
  const workspace = await scoped(db, { workspaceId }, (tx) =>
    tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { plan: true } }),
  );
  const { id, name: _name, ...limits } = workspace.plan;
  return { planId: id, ...limits };
}
