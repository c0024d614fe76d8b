// Writes a workspace's configuration as a bundle: every id replaced by a name, no secret value included (an alert
// rule's Slack or webhook URL is one: only its hint is written).
import { CONNECTION_TYPES, stepCatalog } from "@tributary/connectors";
import { type Db, scoped } from "@tributary/db";
import { type FlowGraph, nameReferences, parseFlowGraph } from "@tributary/engine";
import { referenceDirectory } from "../flows/flow-references.ts";
import { BUNDLE_FORMAT, BUNDLE_VERSION, type WorkspaceBundle } from "./bundle-format.ts";

export async function exportBundle({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<WorkspaceBundle> {
  return scoped(db, { workspaceId }, async (tx) => {
    const directory = await referenceDirectory({ tx, workspaceId });
    const portable = (graph: unknown): FlowGraph =>
      nameReferences({ graph: parseFlowGraph(graph), catalog: stepCatalog, directory });
    const [workspace, connections, rules, flows, alertRules] = await Promise.all([
      tx.workspace.findUniqueOrThrow({
        where: { id: workspaceId },
        select: { name: true, slug: true, allowedHosts: true },
      }),
      tx.connection.findMany({ where: { workspaceId }, orderBy: { name: "asc" } }),
      tx.securityRule.findMany({ where: { workspaceId }, orderBy: { name: "asc" } }),
      tx.flow.findMany({
        where: { workspaceId },
        orderBy: { name: "asc" },
        select: {
          name: true,
          description: true,
          status: true,
          maxConcurrentRuns: true,
          draft: true,
          currentVersion: { select: { graph: true } },
        },
      }),
      tx.alertRule.findMany({
        where: { workspaceId },
        orderBy: { name: "asc" },
        select: {
          name: true,
          event: true,
          threshold: true,
          flow: { select: { name: true } },
          channel: true,
          emailTo: true,
          targetFlow: { select: { name: true } },
          targetHint: true,
          intervalSeconds: true,
          enabled: true,
        },
      }),
    ]);
    return {
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      exportedAt: new Date().toISOString(),
      workspace: { name: workspace.name, slug: workspace.slug },
      settings: { allowedHosts: workspace.allowedHosts },
      connections: connections.map((connection) => ({
        name: connection.name,
        type: connection.type,
        config: connection.config as Record<string, unknown>,
        secretFields: connection.secretConfig ? [...(CONNECTION_TYPES.get(connection.type)?.secretFields ?? [])] : [],
      })),
      securityRules: rules.map((rule) => ({
        name: rule.name,
        domain: rule.domain,
        type: rule.type,
        config: rule.config as Record<string, unknown>,
      })),
      flows: flows.map((flow) => ({
        name: flow.name,
        description: flow.description,
        status: flow.status,
        maxConcurrentRuns: flow.maxConcurrentRuns,
        draft: portable(flow.draft),
        published: flow.currentVersion ? portable(flow.currentVersion.graph) : null,
      })),
      alertRules: alertRules.map(({ flow, targetFlow, ...rule }) => ({
        ...rule,
        flow: flow?.name ?? null,
        targetFlow: targetFlow?.name ?? null,
      })),
    };
  });
}
