import { type Db, scoped } from "@tributary/db";
import type { FlowSummary } from "./flow-views.ts";

export async function listFlows({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<FlowSummary[]> {
  const flows = await scoped(db, { workspaceId }, (tx) =>
    tx.flow.findMany({
      where: { workspaceId },
      orderBy: { name: "asc" },
      select: {
        id: true,
        name: true,
        description: true,
        status: true,
        updatedAt: true,
        currentVersion: { select: { number: true } },
      },
    }),
  );
  return flows.map(({ currentVersion, ...flow }) => ({ ...flow, currentVersion: currentVersion?.number ?? null }));
}
