// Everything the ingress needs to answer requests for one workspace: its plan's limits, its webhook routes
// with their flows' state, and its security rules opened. The ingress keeps it for a moment (it changes only
// when flows are published, paused or rules edited).
import { type Db, type SecretBox, scoped } from "@tributary/db";
import { openSecurityRules } from "../security/security-rules.ts";
import type { OpenedRule } from "../security/verify-request.ts";
import { type CompiledPattern, compilePattern } from "./route-pattern.ts";

export type WebhookRouteView = {
  flowId: string;
  flowName: string;
  flowStatus: "active" | "paused";
  /** The flow's own limit of runs at once, when it has one. */
  flowConcurrentRuns: number | null;
  /** The version a production call runs; null for test routes (they run the draft). */
  versionId: string | null;
  stepId: string;
  pattern: string;
  compiled: CompiledPattern;
  methods: string[];
  responseMode: "async" | "sync";
  timeoutSeconds: number;
  securityRuleIds: string[];
  /** SOAP webhooks: the WSDL of the service served here (framed by the ingress); null for plain webhooks. */
  soap: { wsdl: string } | null;
};

export type WebhookWorkspace = {
  workspaceId: string;
  planId: string;
  limits: { runsPerMinute: number; maxMessageBytes: number; concurrentRuns: number; runTimeoutSeconds: number };
  /** Tells when the workspace's secrets changed (runs read them through a cache). */
  secretsVersion: number;
  routes: WebhookRouteView[];
  rules: Map<string, OpenedRule>;
};

export async function loadWebhookWorkspace({
  db,
  secretBox,
  slug,
  isTest,
}: {
  db: Db;
  secretBox: SecretBox;
  slug: string;
  isTest: boolean;
}): Promise<WebhookWorkspace | null> {
  const found = await db.sql.query<{
    workspace_id: string;
    plan_id: string;
    runs_per_minute: number;
    max_message_bytes: number;
    concurrent_runs: number;
  }>(
    "SELECT workspace_id, plan_id, runs_per_minute, max_message_bytes, concurrent_runs FROM system_webhook_workspace($1)",
    [slug],
  );
  const workspace = found.rows[0];
  if (!workspace) return null;
  const workspaceId = workspace.workspace_id;
  const [routes, plan, settings] = await scoped(
    db,
    { workspaceId },
    async (tx) =>
      [
        await tx.webhookRoute.findMany({
          where: { workspaceId, isTest },
          include: {
            flow: { select: { name: true, status: true, currentVersionId: true, maxConcurrentRuns: true } },
          },
        }),
        await tx.plan.findUniqueOrThrow({ where: { id: workspace.plan_id }, select: { runTimeoutSeconds: true } }),
        await tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { secretsVersion: true } }),
      ] as const,
  );
  return {
    workspaceId,
    planId: workspace.plan_id,
    limits: {
      runsPerMinute: workspace.runs_per_minute,
      maxMessageBytes: workspace.max_message_bytes,
      concurrentRuns: workspace.concurrent_runs,
      runTimeoutSeconds: plan.runTimeoutSeconds,
    },
    secretsVersion: settings.secretsVersion,
    routes: routes.map((route) => ({
      flowId: route.flowId,
      flowName: route.flow.name,
      flowStatus: route.flow.status,
      flowConcurrentRuns: route.flow.maxConcurrentRuns,
      versionId: isTest ? null : route.flow.currentVersionId,
      stepId: route.stepId,
      pattern: route.pattern,
      compiled: compilePattern(route.pattern),
      methods: route.methods,
      responseMode: route.responseMode === "sync" ? "sync" : "async",
      timeoutSeconds: route.timeoutSeconds,
      securityRuleIds: route.securityRuleIds,
      soap: (route.soap as { wsdl: string } | null) ?? null,
    })),
    rules: await openSecurityRules({ db, secretBox, workspaceId }),
  };
}
