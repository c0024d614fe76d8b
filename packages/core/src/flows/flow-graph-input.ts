import { FlowFormatError, parseFlowGraph } from "@tributary/engine";
import { z } from "zod";
import { isWebhookTrigger, webhookRouteConfig } from "../webhooks/sync-routes.ts";

/**
 * A flow graph from a client: any known version of the format, upgraded; malformed input is a clear error,
 * and so is a webhook trigger whose route fields have the wrong types (they are stored as columns).
 */
export const flowGraphInput = z.unknown().transform((value, ctx) => {
  let graph: ReturnType<typeof parseFlowGraph>;
  try {
    graph = parseFlowGraph(value);
  } catch (error) {
    if (!(error instanceof FlowFormatError)) throw error;
    ctx.addIssue({ code: "custom", message: error.message });
    return z.NEVER;
  }
  graph.steps.forEach((step, index) => {
    if (!isWebhookTrigger(step.type)) return;
    const checked = webhookRouteConfig.safeParse(step.config);
    for (const issue of checked.error?.issues ?? []) {
      ctx.addIssue({ code: "custom", message: issue.message, path: ["steps", index, "config", ...issue.path] });
    }
  });
  return graph;
});
