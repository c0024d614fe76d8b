// Which subscription triggers (broker consumers) should be consuming: those of active flows' published
// versions. Workers compare this with what they hold and start or stop consumers to match.
import type { Db, SecretBox } from "@tributary/db";
import { type FlowStep, parseFlowGraph } from "@tributary/engine";
import { loadConnection, type OpenedConnection } from "../connections/load-connection.ts";

export type ActiveSubscription = {
  workspaceId: string;
  flowId: string;
  versionId: string;
  step: FlowStep;
  planId: string;
  allowedHosts: string[];
};

export async function activeSubscriptions({ db, types }: { db: Db; types: string[] }): Promise<ActiveSubscription[]> {
  const { rows } = await db.sql.query<{
    workspace_id: string;
    flow_id: string;
    version_id: string;
    graph: unknown;
    plan_id: string;
    allowed_hosts: string[];
  }>("SELECT * FROM system_active_subscriptions($1::text[])", [types]);
  return rows.flatMap((row) =>
    parseFlowGraph(row.graph)
      .steps.filter((step) => types.includes(step.type))
      .map((step) => ({
        workspaceId: row.workspace_id,
        flowId: row.flow_id,
        versionId: row.version_id,
        step,
        planId: row.plan_id,
        allowedHosts: row.allowed_hosts,
      })),
  );
}

/** The connection a subscription trigger names, opened, or null when it names none. */
export async function subscriptionConnection({
  db,
  secretBox,
  subscription,
}: {
  db: Db;
  secretBox: SecretBox;
  subscription: ActiveSubscription;
}): Promise<OpenedConnection | null> {
  const connectionId = (subscription.step.config as { connectionId?: unknown }).connectionId;
  if (typeof connectionId !== "string") return null;
  return loadConnection({ db, secretBox, workspaceId: subscription.workspaceId, connectionId });
}
