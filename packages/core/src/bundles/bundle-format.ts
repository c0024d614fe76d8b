// A workspace bundle: the configuration of a workspace, to promote it into another one (test → production).
// Flows (draft and published graph), connection definitions without their secret values, security rules
// without their secrets, alert rules without their URLs, and the settings that travel. Everything refers to everything else by name. Not the
// data: the workspace archive (../exports) holds runs and the audit log. See docs/workspace-bundle.md.
import { z } from "zod";
import { createAlertRuleInput } from "../alerts/alert-rules.ts";
import { flowGraphInput } from "../flows/flow-graph-input.ts";
import { RULE_TYPES } from "../security/rule-types.ts";

export const BUNDLE_FORMAT = "tributary.workspace-bundle";
export const BUNDLE_VERSION = 1;

const name = z.string().trim().min(1).max(120);
/** A graph in the flow format (its shape documented, then parsed and upgraded as saving does). */
const graph = z
  .looseObject({ version: z.number(), steps: z.array(z.looseObject({})), edges: z.array(z.looseObject({})) })
  .transform((value, context) => {
    const parsed = flowGraphInput.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues)
      context.addIssue({ code: "custom", message: issue.message, path: issue.path });
    return z.NEVER;
  });

export const bundleConnection = z.object({
  name,
  type: z.string().min(1),
  /** The connection's settings without its secret fields. */
  config: z.record(z.string(), z.unknown()),
  /** The secret fields that had a value where it was exported: to set again where it is imported. */
  secretFields: z.array(z.string()).default([]),
});

export const bundleSecurityRule = z.object({
  name,
  domain: z.string().trim().min(1).max(60).default("default"),
  type: z.enum(RULE_TYPES),
  /** Settings that are not secret (header names, CIDR ranges, usernames). */
  config: z.record(z.string(), z.unknown()).default({}),
});

export const bundleFlow = z.object({
  name,
  description: z.string().max(2000).default(""),
  status: z.enum(["active", "paused"]).default("active"),
  maxConcurrentRuns: z.number().int().min(1).max(10_000).nullable().default(null),
  draft: graph,
  /** The version that runs; null for a flow never published. */
  published: graph.nullable().default(null),
});

export const bundleAlertRule = createAlertRuleInput
  .pick({
    name: true,
    event: true,
    threshold: true,
    channel: true,
    emailTo: true,
    intervalSeconds: true,
    enabled: true,
  })
  .extend({
    /** The flow watched, by name; null: every flow of the workspace (a default rule). */
    flow: name.nullable().default(null),
    /** channel flow: the flow started, by name. */
    targetFlow: name.nullable().default(null),
    /** slack, webhook: where it sent, the URL's path hidden. The URL is a credential: it is set again by hand. */
    targetHint: z.string().max(2000).nullable().default(null),
  });

export const workspaceBundle = z.object({
  format: z.literal(BUNDLE_FORMAT, { message: `Not a workspace bundle: "format" must be "${BUNDLE_FORMAT}".` }),
  version: z
    .number()
    .int()
    .min(1)
    .max(BUNDLE_VERSION, {
      message: `This bundle is from a newer Tributary; this one reads version ${BUNDLE_VERSION}.`,
    }),
  exportedAt: z.string().optional(),
  workspace: z.object({ name: z.string(), slug: z.string() }).optional(),
  settings: z
    .object({
      allowedHosts: z.array(z.string()).default([]),
      /** Bundles written before alert rules: the flow started when a run failed, by name (see upgradeBundle). */
      errorFlow: name.nullable().optional(),
    })
    .default({ allowedHosts: [] }),
  connections: z.array(bundleConnection).max(1_000).default([]),
  securityRules: z.array(bundleSecurityRule).max(1_000).default([]),
  flows: z.array(bundleFlow).max(2_000).default([]),
  alertRules: z.array(bundleAlertRule).max(1_000).default([]),
});

export type WorkspaceBundle = z.output<typeof workspaceBundle>;
export type BundleFlow = z.output<typeof bundleFlow>;
export type BundleAlertRule = z.output<typeof bundleAlertRule>;

/** The name of the rule an error flow became (as the alerts migration named the workspaces' error flows). */
export const ERROR_FLOW_RULE = "Error flow";

/**
 * A bundle as this Tributary reads it: the error flow of an older bundle becomes the alert rule it became in
 * workspaces — start that flow on every failed run, workspace-wide, no throttle — unless the bundle has a rule
 * of that name already.
 */
export function upgradeBundle(bundle: WorkspaceBundle): WorkspaceBundle {
  const { errorFlow, ...settings } = bundle.settings;
  if (!errorFlow || bundle.alertRules.some((rule) => rule.name === ERROR_FLOW_RULE)) return { ...bundle, settings };
  const rule: BundleAlertRule = {
    name: ERROR_FLOW_RULE,
    event: "run_failed",
    threshold: null,
    flow: null,
    channel: "flow",
    emailTo: [],
    targetFlow: errorFlow,
    targetHint: null,
    intervalSeconds: 0,
    enabled: true,
  };
  return { ...bundle, settings, alertRules: [...bundle.alertRules, rule] };
}

export type BundleItemKind = "connection" | "securityRule" | "flow" | "alertRule" | "settings";
export type BundleAction = "create" | "change" | "leave";

/** One line of an import's plan: what happens to one thing, and what is left to do by hand. */
export type BundlePlanItem = { kind: BundleItemKind; name: string; action: BundleAction; notes: string[] };
