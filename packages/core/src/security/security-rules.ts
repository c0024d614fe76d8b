// Security rules: CRUD for owners and admins. Secret material (passwords, API keys, signing secrets) is
// generated here, shown once in the answer that created it, and sealed at rest.
import { randomUUID } from "node:crypto";
import { type Db, type Prisma, type SecretBox, scoped, type Tx } from "@tributary/db";
import { firstProblem } from "@tributary/engine";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import { isUniqueViolation } from "../workspaces/create-workspace.ts";
import {
  fingerprint,
  generateApiKey,
  generatePassword,
  generateSigningSecret,
  RULE_TYPES,
  type RuleSecret,
  type RuleType,
  ruleConfigSchemas,
} from "./rule-types.ts";
import type { OpenedRule } from "./verify-request.ts";

export const ruleContext = ({ workspaceId, ruleId }: { workspaceId: string; ruleId: string }) =>
  `security-rule:${workspaceId}:${ruleId}`;
/** Under the workspace's id, so deleting a workspace finds them. */
export const ruleFailuresKey = ({ workspaceId, ruleId }: { workspaceId: string; ruleId: string }) =>
  `security:failures:${workspaceId}:${ruleId}`;

export const ruleIdInput = z.object({ ruleId: z.uuid() });

export const createRuleInput = z.object({
  name: z.string().trim().min(1, { message: "Name the rule." }).max(120),
  domain: z.string().trim().min(1).max(60).default("default"),
  type: z.enum(RULE_TYPES),
  config: z.record(z.string(), z.unknown()).default({}),
  /** Only for header signatures: the sender's secret, when it gives you one; generated otherwise. */
  secret: z.string().min(16, { message: "Signing secrets need at least 16 characters." }).max(500).optional(),
});

export type RuleView = {
  id: string;
  name: string;
  domain: string;
  type: RuleType;
  config: Record<string, unknown>;
  /** Labels of the secrets held (never the secrets). */
  secrets: string[];
  failures: number;
  lastFailureAt: string | null;
  createdAt: Date;
};

/** What a create or regenerate shows once: the secret the caller must copy now. */
export type ShownOnce = { ruleId: string; secret: string | null; username?: string };

function parseConfig(type: RuleType, config: unknown) {
  const parsed = ruleConfigSchemas[type].safeParse(config);
  if (!parsed.success) {
    const { field, message } = firstProblem(parsed.error, ruleConfigSchemas[type]);
    throw new AppError("BAD_REQUEST", message, { field: field ? `config.${field}` : "config" });
  }
  return parsed.data;
}

function newSecret(type: RuleType, provided?: string): { secret: RuleSecret; shown: string | null } {
  switch (type) {
    case "basic": {
      const password = generatePassword();
      return { secret: { password }, shown: password };
    }
    case "api_key": {
      const key = generateApiKey();
      return { secret: { key }, shown: key };
    }
    case "hmac_standard": {
      const signing = generateSigningSecret();
      return { secret: { secrets: [signing] }, shown: signing };
    }
    case "hmac_header": {
      const value = provided ?? generateSigningSecret().slice("whsec_".length);
      return { secret: { secret: value }, shown: provided ? null : value };
    }
    case "ip_allow":
      return { secret: {}, shown: null };
  }
}

function open({
  secretBox,
  workspaceId,
  ruleId,
  sealed,
}: {
  secretBox: SecretBox;
  workspaceId: string;
  ruleId: string;
  sealed: Uint8Array | null;
}): RuleSecret {
  return sealed ? (JSON.parse(secretBox.open(sealed, ruleContext({ workspaceId, ruleId }))) as RuleSecret) : {};
}

function seal({
  secretBox,
  workspaceId,
  ruleId,
  secret,
}: {
  secretBox: SecretBox;
  workspaceId: string;
  ruleId: string;
  secret: RuleSecret;
}) {
  return Object.keys(secret).length
    ? secretBox.seal(JSON.stringify(secret), ruleContext({ workspaceId, ruleId }))
    : null;
}

export async function createSecurityRule({
  db,
  secretBox,
  workspaceId,
  actor,
  name,
  domain,
  type,
  config,
  secret: provided,
}: { db: Db; secretBox: SecretBox; workspaceId: string; actor: Actor } & z.output<
  typeof createRuleInput
>): Promise<ShownOnce> {
  const settings = parseConfig(type, config);
  const ruleId = randomUUID();
  const { secret, shown } = newSecret(type, provided);
  try {
    await scoped(db, { workspaceId }, async (tx) => {
      await tx.securityRule.create({
        data: {
          id: ruleId,
          workspaceId,
          name,
          domain,
          type,
          config: settings as Prisma.InputJsonObject,
          secret: seal({ secretBox, workspaceId, ruleId, secret }),
        },
      });
      await recordAudit({
        tx,
        workspaceId,
        actor,
        action: "security_rule.saved",
        target: { type: "security_rule", id: ruleId },
        details: { name, type },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("CONFLICT", `A rule named "${name}" exists already.`, { field: "name" });
    throw error;
  }
  return {
    ruleId,
    secret: shown,
    ...(type === "basic" ? { username: (settings as { username: string }).username } : {}),
  };
}

export const updateRuleInput = z.object({
  ruleId: z.uuid(),
  name: z.string().trim().min(1).max(120).optional(),
  domain: z.string().trim().min(1).max(60).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});

export async function updateSecurityRule({
  db,
  workspaceId,
  actor,
  ruleId,
  ...changes
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof updateRuleInput>): Promise<void> {
  await scoped(db, { workspaceId }, async (tx) => {
    const rule = await tx.securityRule.findFirst({ where: { id: ruleId, workspaceId }, select: { type: true } });
    if (!rule) throw notFound("That security rule");
    const config = changes.config ? (parseConfig(rule.type, changes.config) as Prisma.InputJsonObject) : undefined;
    await tx.securityRule.update({
      where: { id: ruleId },
      data: {
        ...(changes.name ? { name: changes.name } : {}),
        ...(changes.domain ? { domain: changes.domain } : {}),
        ...(config ? { config } : {}),
      },
    });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "security_rule.saved",
      target: { type: "security_rule", id: ruleId },
      details: { name: changes.name ?? null, domain: changes.domain ?? null },
    });
  });
}

export const rotateRuleInput = z.object({
  ruleId: z.uuid(),
  /** Signing secrets only: keep the current ones valid next to the new one (rotation), or replace them all. */
  keepPrevious: z.boolean().default(true),
});

/** A new password, API key or signing secret, shown once. Signing secrets rotate: old ones stay valid until removed. */
export async function rotateRuleSecret({
  db,
  secretBox,
  workspaceId,
  actor,
  ruleId,
  keepPrevious,
}: { db: Db; secretBox: SecretBox; workspaceId: string; actor: Actor } & z.output<
  typeof rotateRuleInput
>): Promise<ShownOnce> {
  return scoped(db, { workspaceId }, async (tx) => {
    const rule = await tx.securityRule.findFirst({
      where: { id: ruleId, workspaceId },
      select: { type: true, secret: true },
    });
    if (!rule) throw notFound("That security rule");
    if (rule.type === "ip_allow") throw new AppError("BAD_REQUEST", "IP allow-lists hold no secret to regenerate.");
    const { secret, shown } = newSecret(rule.type);
    if (rule.type === "hmac_standard" && keepPrevious) {
      const current = open({ secretBox, workspaceId, ruleId, sealed: rule.secret });
      secret.secrets = [...(current.secrets ?? []), ...(secret.secrets ?? [])].slice(-5);
    }
    await tx.securityRule.update({
      where: { id: ruleId },
      data: { secret: seal({ secretBox, workspaceId, ruleId, secret }) },
    });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "security_rule.secret_rotated",
      target: { type: "security_rule", id: ruleId },
    });
    return { ruleId, secret: shown };
  });
}

export const removeSigningSecretInput = z.object({ ruleId: z.uuid(), label: z.string().max(20) });

/** Ends a rotation: the signing secret with this label stops being accepted (the last one cannot go). */
export async function removeSigningSecret({
  db,
  secretBox,
  workspaceId,
  actor,
  ruleId,
  label,
}: { db: Db; secretBox: SecretBox; workspaceId: string; actor: Actor } & z.output<
  typeof removeSigningSecretInput
>): Promise<void> {
  await scoped(db, { workspaceId }, async (tx) => {
    const rule = await tx.securityRule.findFirst({
      where: { id: ruleId, workspaceId, type: "hmac_standard" },
      select: { secret: true },
    });
    if (!rule) throw notFound("That signing rule");
    const current = open({ secretBox, workspaceId, ruleId, sealed: rule.secret }).secrets ?? [];
    const kept = current.filter((secret) => fingerprint(secret) !== label);
    if (kept.length === current.length) throw notFound(`The signing secret ${label}`);
    if (kept.length === 0)
      throw new AppError(
        "PRECONDITION_FAILED",
        "A signing rule needs one secret: add a new one before removing the last.",
      );
    await tx.securityRule.update({
      where: { id: ruleId },
      data: { secret: seal({ secretBox, workspaceId, ruleId, secret: { secrets: kept } }) },
    });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "security_rule.secret_rotated",
      target: { type: "security_rule", id: ruleId },
      details: { removed: label },
    });
  });
}

export type RuleUsage = { flowId: string; flowName: string; stepId: string; where: "published" | "draft" }[];

async function usageOf({
  tx,
  workspaceId,
  ruleId,
}: {
  tx: Tx;
  workspaceId: string;
  ruleId: string;
}): Promise<RuleUsage> {
  const flows = await tx.flow.findMany({
    where: { workspaceId },
    select: { id: true, name: true, draft: true, currentVersion: { select: { graph: true } } },
  });
  const usage: RuleUsage = [];
  for (const flow of flows) {
    for (const [where, graph] of [
      ["published", flow.currentVersion?.graph],
      ["draft", flow.draft],
    ] as const) {
      const steps =
        (graph as { steps?: { id: string; type: string; config?: { securityRuleIds?: string[] } }[] } | undefined)
          ?.steps ?? [];
      for (const step of steps) {
        if (step.type === "trigger.webhook" && step.config?.securityRuleIds?.includes(ruleId)) {
          usage.push({ flowId: flow.id, flowName: flow.name, stepId: step.id, where });
        }
      }
    }
  }
  return usage;
}

/** Which webhook triggers a rule guards (in published versions and in drafts). */
export async function securityRuleUsage({
  db,
  workspaceId,
  ruleId,
}: {
  db: Db;
  workspaceId: string;
  ruleId: string;
}): Promise<RuleUsage> {
  return scoped(db, { workspaceId }, async (tx) => {
    // Another workspace's rule (or none) is not found, not a rule nobody uses.
    const rule = await tx.securityRule.findFirst({ where: { id: ruleId, workspaceId }, select: { id: true } });
    if (!rule) throw notFound("That security rule");
    return usageOf({ tx, workspaceId, ruleId });
  });
}

export const deleteRuleInput = z.object({
  ruleId: z.uuid(),
  /** Deleting a rule that guards webhooks needs this; a webhook whose rules are all gone refuses every call. */
  confirmInUse: z.boolean().default(false),
});

export async function deleteSecurityRule({
  db,
  workspaceId,
  actor,
  ruleId,
  confirmInUse,
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof deleteRuleInput>): Promise<void> {
  await scoped(db, { workspaceId }, async (tx) => {
    const rule = await tx.securityRule.findFirst({ where: { id: ruleId, workspaceId }, select: { name: true } });
    if (!rule) throw notFound("That security rule");
    const usage = await usageOf({ tx, workspaceId, ruleId });
    if (usage.length && !confirmInUse) {
      const list = [...new Set(usage.map((u) => `"${u.flowName}" (${u.stepId})`))].join(", ");
      throw new AppError(
        "CONFLICT",
        `"${rule.name}" guards the webhooks of ${list}. Delete it anyway? Webhooks left with no rule of their own refuse every call until you attach another.`,
        { usage },
      );
    }
    await tx.securityRule.delete({ where: { id: ruleId } });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "security_rule.deleted",
      target: { type: "security_rule", id: ruleId },
      details: { name: rule.name },
    });
  });
}

export async function listSecurityRules({
  db,
  redis,
  secretBox,
  workspaceId,
}: {
  db: Db;
  redis: Redis;
  secretBox: SecretBox;
  workspaceId: string;
}): Promise<RuleView[]> {
  const rules = await scoped(db, { workspaceId }, (tx) =>
    tx.securityRule.findMany({ where: { workspaceId }, orderBy: [{ domain: "asc" }, { name: "asc" }] }),
  );
  const failures = rules.length
    ? await redis
        .mget(
          ...rules.flatMap((rule) => {
            const key = ruleFailuresKey({ workspaceId, ruleId: rule.id });
            return [key, `${key}:last`];
          }),
        )
        .catch(() => [])
    : [];
  return rules.map((rule, index) => {
    const secret = open({ secretBox, workspaceId, ruleId: rule.id, sealed: rule.secret });
    const labels = [secret.password, secret.key, secret.secret, ...(secret.secrets ?? [])]
      .filter((s): s is string => Boolean(s))
      .map(fingerprint);
    return {
      id: rule.id,
      name: rule.name,
      domain: rule.domain,
      type: rule.type,
      config: rule.config as Record<string, unknown>,
      secrets: labels,
      failures: Number(failures[index * 2] ?? 0),
      lastFailureAt: failures[index * 2 + 1] ?? null,
      createdAt: rule.createdAt,
    };
  });
}

/** Rules with their secrets opened, for the ingress only. */
export async function openSecurityRules({
  db,
  secretBox,
  workspaceId,
}: {
  db: Db;
  secretBox: SecretBox;
  workspaceId: string;
}): Promise<Map<string, OpenedRule>> {
  const rules = await scoped(db, { workspaceId }, (tx) => tx.securityRule.findMany({ where: { workspaceId } }));
  return new Map(
    rules.map((rule) => [
      rule.id,
      {
        id: rule.id,
        domain: rule.domain,
        type: rule.type,
        config: rule.config as OpenedRule["config"],
        secret: open({ secretBox, workspaceId, ruleId: rule.id, sealed: rule.secret }),
      },
    ]),
  );
}
