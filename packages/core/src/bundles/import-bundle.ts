// Imports a workspace bundle: things are matched by name; each is created, changed or left as it is. A dry
// run says which, and what will be left to do by hand (secret values and alert URLs never travel), without
// changing anything.
import { CONNECTION_TYPES, stepCatalog } from "@tributary/connectors";
import { type Db, type Prisma, type SecretBox, scoped } from "@tributary/db";
import {
  type FlowGraph,
  nameReferences,
  parseFlowGraph,
  type ReferenceDirectory,
  resolveReferences,
  type ValidationError,
} from "@tributary/engine";
import { z } from "zod";
import { alertRuleFieldProblem, createAlertRule, updateAlertRule } from "../alerts/alert-rules.ts";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError } from "../errors/app-error.ts";
import { createFlow } from "../flows/create-flow.ts";
import { referenceDirectory } from "../flows/flow-references.ts";
import { publishFlow } from "../flows/publish-flow.ts";
import { setFlowStatus } from "../flows/set-flow-status.ts";
import { saveFlowDraft, updateFlow } from "../flows/update-flow.ts";
import { ruleConfigSchemas } from "../security/rule-types.ts";
import { allowedHostsInput, updateWorkspaceSettings } from "../workspaces/workspace-settings.ts";
import {
  type BundleAction,
  type BundleAlertRule,
  type BundleFlow,
  type BundlePlanItem,
  upgradeBundle,
  type WorkspaceBundle,
  workspaceBundle,
} from "./bundle-format.ts";

export const importBundleInput = z.object({ bundle: workspaceBundle, dryRun: z.boolean().default(false) });

export type BundleImportResult = {
  dryRun: boolean;
  items: BundlePlanItem[];
  /** Flows whose published version could not be published here, with the problems publishing reported. */
  notPublished: { name: string; problems: ValidationError[] }[];
  /** Flows created or changed, for the caller to resync their schedules. */
  flowIds: string[];
};

/** JSON with sorted keys: whether two values are the same whatever their key order (jsonb reorders keys). */
function same(a: unknown, b: unknown): boolean {
  const sorted = (value: unknown) =>
    JSON.stringify(value, (_key, inner: unknown) =>
      inner && typeof inner === "object" && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner).sort(([x], [y]) => (x < y ? -1 : 1)))
        : inner,
    );
  return sorted(a) === sorted(b);
}

function duplicates(names: string[]): string[] {
  return [...new Set(names.filter((name, index) => names.indexOf(name) !== index))];
}

type Target = Awaited<ReturnType<typeof loadTarget>>;

async function loadTarget({ db, workspaceId }: { db: Db; workspaceId: string }) {
  return scoped(db, { workspaceId }, async (tx) => {
    const directory = await referenceDirectory({ tx, workspaceId });
    const [workspace, connections, rules, flows, alertRules] = await Promise.all([
      tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { allowedHosts: true, isDemo: true } }),
      tx.connection.findMany({ where: { workspaceId }, select: { id: true, name: true, type: true, config: true } }),
      tx.securityRule.findMany({
        where: { workspaceId },
        select: { id: true, name: true, type: true, domain: true, config: true },
      }),
      tx.flow.findMany({
        where: { workspaceId },
        select: {
          id: true,
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
        select: {
          id: true,
          name: true,
          event: true,
          threshold: true,
          flowId: true,
          channel: true,
          emailTo: true,
          targetFlowId: true,
          targetHint: true,
          intervalSeconds: true,
          enabled: true,
        },
      }),
    ]);
    const portable = (graph: unknown) =>
      nameReferences({ graph: parseFlowGraph(graph), catalog: stepCatalog, directory });
    return {
      directory,
      workspace,
      connections,
      rules,
      alertRules,
      flows: flows.map((flow) => ({
        ...flow,
        draft: portable(flow.draft),
        published: flow.currentVersion ? portable(flow.currentVersion.graph) : null,
      })),
    };
  });
}

/** What the bundle cannot be imported with: names given twice, unknown types, settings that do not parse. */
function problemsOf(bundle: WorkspaceBundle, target: Target): string[] {
  const problems: string[] = [];
  for (const [noun, names] of [
    ["connection", bundle.connections.map((c) => c.name)],
    ["security rule", bundle.securityRules.map((r) => r.name)],
    ["flow", bundle.flows.map((f) => f.name)],
    ["alert rule", bundle.alertRules.map((r) => r.name)],
  ] as const) {
    for (const name of duplicates(names)) problems.push(`The bundle has two ${noun}s named "${name}": rename one.`);
  }
  const alertFlows = bundle.alertRules.flatMap((rule) => flowsOf(rule));
  for (const name of duplicates(target.flows.map((f) => f.name))) {
    if (bundle.flows.some((flow) => flow.name === name) || alertFlows.includes(name)) {
      problems.push(`This workspace has several flows named "${name}": rename all but one, then import again.`);
    }
  }
  for (const connection of bundle.connections) {
    const type = CONNECTION_TYPES.get(connection.type);
    if (!type) {
      problems.push(
        `The connection "${connection.name}" has type "${connection.type}", which this Tributary does not know.`,
      );
      continue;
    }
    // Secret fields are not in a bundle: only the other fields must be valid.
    const parsed = type.config.safeParse(connection.config);
    for (const issue of parsed.error?.issues ?? []) {
      if (type.secretFields.includes(String(issue.path[0]))) continue;
      problems.push(`The connection "${connection.name}": ${issue.path.join(".") || "config"}: ${issue.message}`);
    }
  }
  for (const rule of bundle.securityRules) {
    const parsed = ruleConfigSchemas[rule.type].safeParse(rule.config);
    for (const issue of parsed.error?.issues ?? []) {
      problems.push(`The security rule "${rule.name}": ${issue.path.join(".") || "config"}: ${issue.message}`);
    }
  }
  const hosts = allowedHostsInput.safeParse(bundle.settings.allowedHosts);
  for (const issue of hosts.error?.issues ?? []) problems.push(`Allowed hosts: ${issue.message}`);
  for (const rule of bundle.alertRules) {
    const fieldProblem = alertRuleFieldProblem(storedRule(rule));
    if (fieldProblem) problems.push(`The alert rule "${rule.name}": ${fieldProblem.message}`);
    for (const flow of flowsOf(rule)) {
      if (!bundle.flows.some((f) => f.name === flow) && !target.flows.some((f) => f.name === flow)) {
        problems.push(
          `The alert rule "${rule.name}" names the flow "${flow}", which is neither in the bundle nor in this workspace.`,
        );
      }
    }
    if (rule.channel === "email" && target.workspace.isDemo) {
      problems.push(`The alert rule "${rule.name}" sends email, which demo workspaces cannot: sign up to import it.`);
    }
  }
  return problems;
}

/** The flows an alert rule names: the one it watches and the one it starts. */
function flowsOf(rule: BundleAlertRule): string[] {
  return [rule.flow, rule.channel === "flow" ? rule.targetFlow : null].filter((name): name is string => Boolean(name));
}

/** An alert rule as it is stored: only the fields of its event and channel (flows by name). */
function storedRule(rule: BundleAlertRule) {
  return {
    event: rule.event,
    threshold: rule.event === "run_slow" || rule.event === "queue_backlog" ? rule.threshold : null,
    channel: rule.channel,
    emailTo: rule.channel === "email" ? rule.emailTo : [],
    flowId: rule.flow,
    targetFlowId: rule.channel === "flow" ? rule.targetFlow : null,
    intervalSeconds: rule.intervalSeconds,
  };
}

/**
 * How an alert rule of the bundle lands here. A Slack or webhook rule keeps the URL it has here (same name, same
 * channel); without one it waits disabled, since a bundle holds no URL.
 */
function alertRuleLanding(rule: BundleAlertRule, target: Target) {
  const existing = target.alertRules.find((r) => r.name === rule.name);
  const sendsToUrl = rule.channel === "slack" || rule.channel === "webhook";
  const needsUrl = sendsToUrl && !(existing?.channel === rule.channel && existing.targetHint);
  return { existing, needsUrl, enabled: rule.enabled && !needsUrl };
}

/** The directory this workspace will have once the bundle is in: what it has and what the bundle creates. */
function directoryAfter(bundle: WorkspaceBundle, target: Target): ReferenceDirectory {
  const add = (entries: { id: string; name: string }[], names: string[], kind: string) => [
    ...entries,
    ...names
      .filter((name) => !entries.some((e) => e.name === name))
      .map((name) => ({ id: `new-${kind}:${name}`, name })),
  ];
  return {
    connection: add(
      target.directory.connection,
      bundle.connections.map((c) => c.name),
      "connection",
    ),
    securityRule: add(
      target.directory.securityRule,
      bundle.securityRules.map((r) => r.name),
      "rule",
    ),
    flow: add(
      target.directory.flow,
      bundle.flows.map((f) => f.name),
      "flow",
    ),
    secret: target.directory.secret,
  };
}

function planOf(bundle: WorkspaceBundle, target: Target): BundlePlanItem[] {
  const items: BundlePlanItem[] = [];
  const action = (exists: boolean, unchanged: boolean): BundleAction =>
    !exists ? "create" : unchanged ? "leave" : "change";
  for (const connection of bundle.connections) {
    const existing = target.connections.find((c) => c.name === connection.name);
    const kind = action(
      Boolean(existing),
      existing?.type === connection.type && same(existing.config, connection.config),
    );
    const notes: string[] = [];
    if (kind === "create" && connection.secretFields.length) {
      notes.push(
        `Set its secret fields (${connection.secretFields.join(", ")}) and test it: a bundle holds no secret values.`,
      );
    }
    if (existing && existing.type !== connection.type) notes.push("Its type changes: set its secret fields again.");
    items.push({ kind: "connection", name: connection.name, action: kind, notes });
  }
  for (const rule of bundle.securityRules) {
    const existing = target.rules.find((r) => r.name === rule.name);
    const parsedConfig = ruleConfigSchemas[rule.type].parse(rule.config);
    const kind = action(
      Boolean(existing),
      existing?.type === rule.type && existing.domain === rule.domain && same(existing.config, parsedConfig),
    );
    const needsSecret = rule.type !== "ip_allow" && (kind === "create" || existing?.type !== rule.type);
    items.push({
      kind: "securityRule",
      name: rule.name,
      action: kind,
      notes: needsSecret
        ? ["Generate its secret on the Security page and give it to the callers: until then it refuses every call."]
        : [],
    });
  }
  const after = directoryAfter(bundle, target);
  for (const flow of bundle.flows) {
    const existing = target.flows.find((f) => f.name === flow.name);
    const unchanged =
      existing !== undefined &&
      existing.description === flow.description &&
      existing.status === flow.status &&
      existing.maxConcurrentRuns === flow.maxConcurrentRuns &&
      same(existing.draft, flow.draft) &&
      same(existing.published, flow.published);
    const kind = action(Boolean(existing), unchanged);
    const notes =
      kind === "leave" || !flow.published
        ? []
        : resolveReferences({ graph: flow.published, catalog: stepCatalog, directory: after }).unresolved.map(
            (reference) => `Will not be published: ${reference.message}`,
          );
    items.push({ kind: "flow", name: flow.name, action: kind, notes });
  }
  const flowName = (id: string | null) => (id ? (target.flows.find((f) => f.id === id)?.name ?? null) : null);
  for (const rule of bundle.alertRules) {
    const { existing, needsUrl, enabled } = alertRuleLanding(rule, target);
    const unchanged =
      existing !== undefined &&
      same(
        {
          ...existing,
          id: undefined,
          name: undefined,
          targetHint: undefined,
          flowId: flowName(existing.flowId),
          targetFlowId: flowName(existing.targetFlowId),
        },
        { ...storedRule(rule), enabled },
      );
    const channel = rule.channel === "slack" ? "Slack webhook URL" : "webhook URL";
    const where = rule.targetHint ? ` (it went to ${rule.targetHint})` : "";
    const secret = rule.channel === "webhook" ? "; its new signing secret is shown then" : "";
    items.push({
      kind: "alertRule",
      name: rule.name,
      action: action(Boolean(existing), unchanged),
      notes: needsUrl
        ? [
            rule.enabled
              ? `Disabled until its ${channel} is set${where}: set it on the Alerts page and enable the rule${secret}. A bundle holds no URLs.`
              : `Set its ${channel}${where} on the Alerts page before enabling it${secret}. A bundle holds no URLs.`,
          ]
        : [],
    });
  }
  const settingsSame = same(
    [...target.workspace.allowedHosts].sort(),
    [...new Set(bundle.settings.allowedHosts)].sort(),
  );
  items.push({ kind: "settings", name: "Workspace settings", action: settingsSame ? "leave" : "change", notes: [] });
  return items;
}

export async function importBundle({
  db,
  secretBox,
  workspaceId,
  actor,
  bundle: given,
  dryRun,
}: { db: Db; secretBox: SecretBox; workspaceId: string; actor: Actor } & z.output<
  typeof importBundleInput
>): Promise<BundleImportResult> {
  const bundle = upgradeBundle(given);
  const target = await loadTarget({ db, workspaceId });
  const problems = problemsOf(bundle, target);
  if (problems.length) {
    throw new AppError("BAD_REQUEST", `The bundle cannot be imported: ${problems.join(" ")}`, { problems });
  }
  const items = planOf(bundle, target);
  if (dryRun) return { dryRun, items, notPublished: [], flowIds: [] };
  const planned = (kind: BundlePlanItem["kind"], name: string) =>
    items.find((item) => item.kind === kind && item.name === name)?.action ?? "leave";

  await scoped(db, { workspaceId }, async (tx) => {
    for (const connection of bundle.connections) {
      const act = planned("connection", connection.name);
      if (act === "leave") continue;
      const existing = target.connections.find((c) => c.name === connection.name);
      const needsSecrets = connection.secretFields.length > 0;
      // Without its secret values the connection is in a state that says so, until they are set and tested.
      const check = needsSecrets
        ? { lastCheckOk: false, lastCheckNote: "Imported without its secret values: set them, then test it." }
        : { lastCheckOk: null, lastCheckNote: null };
      const data = {
        name: connection.name,
        type: connection.type,
        config: connection.config as Prisma.InputJsonObject,
        lastCheckedAt: null,
        ...check,
      };
      if (!existing) await tx.connection.create({ data: { workspaceId, ...data, secretConfig: null } });
      else if (existing.type !== connection.type) {
        await tx.connection.update({ where: { id: existing.id }, data: { ...data, secretConfig: null } });
      } else {
        // Same type: the secret values it has stay.
        await tx.connection.update({
          where: { id: existing.id },
          data: { config: data.config, lastCheckedAt: null, lastCheckOk: null, lastCheckNote: null },
        });
      }
    }
    for (const rule of bundle.securityRules) {
      const act = planned("securityRule", rule.name);
      if (act === "leave") continue;
      const existing = target.rules.find((r) => r.name === rule.name);
      const config = ruleConfigSchemas[rule.type].parse(rule.config) as Prisma.InputJsonObject;
      if (!existing) {
        await tx.securityRule.create({
          data: { workspaceId, name: rule.name, domain: rule.domain, type: rule.type, config, secret: null },
        });
      } else {
        await tx.securityRule.update({
          where: { id: existing.id },
          data: {
            domain: rule.domain,
            type: rule.type,
            config,
            ...(existing.type !== rule.type ? { secret: null } : {}),
          },
        });
      }
    }
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "workspace.bundle_imported",
      target: { type: "workspace", id: workspaceId },
      details: Object.fromEntries(
        (["create", "change", "leave"] as const).map((act) => [
          act,
          items.filter((item) => item.action === act).map((item) => `${item.kind}:${item.name}`),
        ]),
      ),
    });
  });

  // Flows go in through the same functions as the API, once all of them exist so their calls resolve.
  const flowIds = new Map(target.flows.map((flow) => [flow.name, flow.id]));
  const changed = bundle.flows.filter((flow) => planned("flow", flow.name) !== "leave");
  for (const flow of changed) {
    if (!flowIds.has(flow.name)) {
      const { id } = await createFlow({ db, workspaceId, actor, name: flow.name, description: flow.description });
      flowIds.set(flow.name, id);
    }
  }
  const notPublished: BundleImportResult["notPublished"] = [];
  for (const flow of changed) {
    await importFlow({ db, workspaceId, actor, flow, flowId: flowIds.get(flow.name) as string, target, notPublished });
  }

  // Alert rules once the flows they name exist, through the Alerts page's functions (checked and audited there).
  for (const rule of bundle.alertRules) {
    if (planned("alertRule", rule.name) === "leave") continue;
    const { existing, enabled } = alertRuleLanding(rule, target);
    const flowIdOf = (name: string | null) => (name ? (flowIds.get(name) ?? null) : null);
    const stored = storedRule(rule);
    const input = {
      ...stored,
      name: rule.name,
      flowId: flowIdOf(stored.flowId),
      targetFlowId: flowIdOf(stored.targetFlowId),
      enabled,
    };
    if (existing) {
      await updateAlertRule({ db, secretBox, workspaceId, actor, ruleId: existing.id, rotateSecret: false, ...input });
    } else await createAlertRule({ db, secretBox, workspaceId, actor, ...input });
  }

  const settingsItem = items.find((item) => item.kind === "settings");
  if (settingsItem?.action === "change") {
    await updateWorkspaceSettings({
      db,
      workspaceId,
      actor,
      allowedHosts: allowedHostsInput.parse(bundle.settings.allowedHosts),
    });
  }
  return { dryRun, items, notPublished, flowIds: changed.map((flow) => flowIds.get(flow.name) as string) };
}

async function saveDraft({
  db,
  workspaceId,
  actor,
  flowId,
  graph,
}: {
  db: Db;
  workspaceId: string;
  actor: Actor;
  flowId: string;
  graph: FlowGraph;
}) {
  const { draftRevision } = await scoped(db, { workspaceId }, (tx) =>
    tx.flow.findFirstOrThrow({ where: { id: flowId, workspaceId }, select: { draftRevision: true } }),
  );
  await saveFlowDraft({ db, workspaceId, actor, flowId, graph, baseRevision: draftRevision });
}

/** One flow: its published graph published (when it changed), then its draft, its settings and its status. */
async function importFlow({
  db,
  workspaceId,
  actor,
  flow,
  flowId,
  target,
  notPublished,
}: {
  db: Db;
  workspaceId: string;
  actor: Actor;
  flow: BundleFlow;
  flowId: string;
  target: Target;
  notPublished: BundleImportResult["notPublished"];
}) {
  const existing = target.flows.find((f) => f.id === flowId);
  let published = Boolean(existing?.published);
  if (flow.published && !same(existing?.published ?? null, flow.published)) {
    await saveDraft({ db, workspaceId, actor, flowId, graph: flow.published });
    try {
      await publishFlow({ db, workspaceId, actor, flowId });
      published = true;
    } catch (error) {
      const validation =
        error instanceof AppError ? (error.details as { validation?: ValidationError[] })?.validation : undefined;
      if (!validation) throw error;
      notPublished.push({ name: flow.name, problems: validation });
    }
  }
  await saveDraft({ db, workspaceId, actor, flowId, graph: flow.draft });
  await updateFlow({
    db,
    workspaceId,
    actor,
    flowId,
    description: flow.description,
    maxConcurrentRuns: flow.maxConcurrentRuns,
  });
  const status = published ? flow.status : "active";
  if (status !== (existing?.status ?? "active")) await setFlowStatus({ db, workspaceId, actor, flowId, status });
}
