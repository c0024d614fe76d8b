// The workspace bundle: its configuration (flows, connections, security and alert rules without secrets, settings) to
// promote into another workspace, with a dry run that says what an import would create, change or leave.
import { exportBundle, importBundle, requestScheduleSync, workspaceBundle } from "@tributary/core";
import { z } from "zod";
import { type Operation, operation } from "../operation.ts";

const planItem = z.object({
  kind: z.enum(["connection", "securityRule", "flow", "alertRule", "settings"]),
  name: z.string(),
  action: z.enum(["create", "change", "leave"]),
  notes: z.array(z.string()),
});

export const BUNDLE_OPERATIONS: Operation[] = [
  operation({
    id: "exportBundle",
    method: "GET",
    path: "/workspace/bundle",
    summary:
      "The workspace's configuration as a bundle: flows (draft and published), connections and security rules without secret values, alert rules without their URLs, settings; everything named, no ids",
    action: "settings.manage",
    input: z.object({}),
    output: z.looseObject({ format: z.literal("tributary.workspace-bundle"), version: z.number().int() }),
    run: ({ db, workspaceId }) => exportBundle({ db, workspaceId }),
  }),
  operation({
    id: "importBundle",
    method: "POST",
    path: "/workspace/bundle",
    summary:
      "Import a bundle, matching by name: what it would create, change or leave with `dryRun=true`; otherwise it does so and publishes what was published",
    action: "settings.manage",
    query: ["dryRun"],
    input: workspaceBundle.extend({
      dryRun: z
        .enum(["true", "false"])
        .transform((value) => value === "true")
        .optional(),
    }),
    output: z.object({
      dryRun: z.boolean(),
      items: z.array(planItem),
      notPublished: z.array(
        z.object({ name: z.string(), problems: z.array(z.looseObject({ code: z.string(), message: z.string() })) }),
      ),
    }),
    run: async ({ db, secretBox, queue, workspaceId, actor }, { dryRun, ...bundle }) => {
      const { flowIds, ...result } = await importBundle({
        db,
        secretBox,
        workspaceId,
        actor,
        bundle,
        dryRun: dryRun ?? false,
      });
      for (const flowId of flowIds) await requestScheduleSync({ queue, workspaceId, flowId });
      return result;
    },
  }),
];
