// Webhook URLs follow the flows: publishing puts a flow's webhook triggers in force, saving a draft updates
// its test URLs, deleting a flow removes both (cascade). Paths are unique in a workspace.
import type { Tx } from "@tributary/db";
import { type FlowGraph, parseFlowGraph } from "@tributary/engine";
import { z } from "zod";
import { AppError } from "../errors/app-error.ts";
import { isUniqueViolation } from "../workspaces/create-workspace.ts";
import { normalizePath } from "./route-pattern.ts";

export const WEBHOOK_TRIGGER = "trigger.webhook";
/** A webhook that speaks SOAP: always answered (sync), its envelopes framed by the ingress (soap-framing.ts). */
export const SOAP_WEBHOOK_TRIGGER = "soap.webhook";

/**
 * The fields of a webhook trigger's config that become its route's columns. Checked where graphs come in
 * (flowGraphInput), so a client's `securityRuleIds: [null]` is a 400 naming the field, not a database error.
 */
export const webhookRouteConfig = z.looseObject({
  path: z.string().optional(),
  methods: z.array(z.string()).optional(),
  responseMode: z.string().optional(),
  timeoutSeconds: z.number().int().positive().optional(),
  /** Ids; a name from a flow file that does not resolve in this workspace (yet) stays a name. */
  securityRuleIds: z.array(z.string()).optional(),
  wsdl: z.string().optional(),
});

type WebhookConfig = z.output<typeof webhookRouteConfig>;

export function isWebhookTrigger(type: string): boolean {
  return type === WEBHOOK_TRIGGER || type === SOAP_WEBHOOK_TRIGGER;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** No rule has it: a route whose rules are all missing refuses every call. */
const NO_RULE = "00000000-0000-0000-0000-000000000000";

/**
 * A draft pushed from another workspace may name a rule this one lacks (publishing refuses it). Its test URL
 * then refuses every call rather than checking only the rules that resolved.
 */
function ruleIdsOf(named: string[]): string[] {
  return named.every((value) => UUID.test(value)) ? named : [NO_RULE];
}

function routesOf(graph: FlowGraph) {
  return graph.steps
    .filter((step) => isWebhookTrigger(step.type) && typeof step.config.path === "string" && step.config.path)
    .map((step) => {
      const config = step.config as WebhookConfig;
      const pattern = (config.path ?? "").replace(/^\/+|\/+$/g, "");
      const soap = step.type === SOAP_WEBHOOK_TRIGGER;
      return {
        stepId: step.id,
        pattern,
        path: normalizePath(pattern),
        methods: soap ? ["POST"] : config.methods?.length ? config.methods : ["POST"],
        responseMode: soap || config.responseMode === "sync" ? "sync" : "async",
        timeoutSeconds: config.timeoutSeconds ?? 30,
        securityRuleIds: ruleIdsOf(config.securityRuleIds ?? []),
        ...(soap ? { soap: { wsdl: String(config.wsdl ?? "") } } : {}),
      };
    });
}

/** Replaces a flow's routes (production or test) with those of `graph`. Production conflicts are errors. */
export async function syncWebhookRoutes({
  tx,
  workspaceId,
  flowId,
  graph,
  isTest,
}: {
  tx: Tx;
  workspaceId: string;
  flowId: string;
  graph: unknown;
  isTest: boolean;
}): Promise<void> {
  await tx.webhookRoute.deleteMany({ where: { workspaceId, flowId, isTest } });
  for (const route of routesOf(parseFlowGraph(graph))) {
    if (!isTest) await requireRules({ tx, workspaceId, route });
    const taken = await tx.webhookRoute.findFirst({
      where: { workspaceId, isTest, path: route.path },
      select: { flow: { select: { name: true } } },
    });
    if (taken) {
      // A draft's test URL waits until the path is free; publishing it would be refused.
      if (isTest) continue;
      throw new AppError(
        "CONFLICT",
        `The webhook path "${route.pattern}" is already used by the flow "${taken.flow.name}". Choose another path.`,
        { stepId: route.stepId },
      );
    }
    try {
      await tx.webhookRoute.create({ data: { workspaceId, flowId, isTest, ...route } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new AppError(
        "CONFLICT",
        `The webhook path "${route.pattern}" was just taken by another flow. Choose another path.`,
      );
    }
  }
}

/** A published trigger may only name rules of its own workspace that exist (a missing rule would refuse every call). */
async function requireRules({
  tx,
  workspaceId,
  route,
}: {
  tx: Tx;
  workspaceId: string;
  route: { stepId: string; pattern: string; securityRuleIds: string[] };
}) {
  const ids = [...new Set(route.securityRuleIds)];
  if (!ids.length) return;
  const found = await tx.securityRule.count({ where: { workspaceId, id: { in: ids } } });
  if (found < ids.length) {
    throw new AppError(
      "BAD_REQUEST",
      `The webhook "${route.pattern}" names security rules that do not exist in this workspace (deleted?). Choose its rules again.`,
      { stepId: route.stepId },
    );
  }
}
