// A workspace's single sign-on settings: read (the client secret never leaves), saved after the provider's
// discovery document was read with them, removed. Every change is audited without the secret.

import type { SecretBox } from "@tributary/db";
import { type Db, type Prisma, type Role, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { DEMO_PLAN } from "../demo/demo-plan.ts";
import { AppError } from "../errors/app-error.ts";
import { ROLES } from "../permissions/permission-matrix.ts";
import { discoverProvider } from "./identity-provider.ts";

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

export const roleMappingInput = z.object({
  group: z.string().trim().min(1, "Name the group as the provider sends it.").max(200),
  role: z.enum(ROLES),
});

export type RoleMapping = z.output<typeof roleMappingInput>;

export const ssoSettingsInput = z.object({
  issuer: z.string().trim().min(1, "Enter the provider's issuer URL.").max(500),
  clientId: z.string().trim().min(1, "Enter the client id the provider gave you.").max(500),
  /** Write-only: left out, the saved secret stays. */
  clientSecret: z.string().trim().min(1).max(4000).optional(),
  allowedDomains: z
    .array(
      z
        .string()
        .trim()
        .toLowerCase()
        .transform((domain) => domain.replace(/^@/, ""))
        .refine((domain) => DOMAIN.test(domain), { message: "Enter an email domain, like example.com." }),
    )
    .min(1, "Name at least one email domain people sign in with.")
    .max(50)
    .transform((domains) => [...new Set(domains)]),
  groupsClaim: z.string().trim().min(1).max(100).default("groups"),
  roleMappings: z.array(roleMappingInput).max(100),
  enabled: z.boolean().default(true),
  /** Members other than owners must sign in through the provider; owners keep their password as a way back in. */
  requireSso: z.boolean().default(false),
});

export type SsoSettings = {
  issuer: string;
  clientId: string;
  clientSecretSet: true;
  allowedDomains: string[];
  groupsClaim: string;
  roleMappings: RoleMapping[];
  enabled: boolean;
  requireSso: boolean;
  updatedAt: Date;
};

/** The secret box's context binds a sealed client secret to its workspace: it cannot be moved to another. */
export const ssoSecretContext = (workspaceId: string) => `workspace:${workspaceId}:sso`;

const SELECT = {
  issuer: true,
  clientId: true,
  allowedDomains: true,
  groupsClaim: true,
  roleMappings: true,
  enabled: true,
  requireSso: true,
  updatedAt: true,
} as const;

export const parseRoleMappings = (json: Prisma.JsonValue): RoleMapping[] => z.array(roleMappingInput).parse(json);

function view(row: Prisma.SsoConfigGetPayload<{ select: typeof SELECT }>): SsoSettings {
  return { ...row, clientSecretSet: true, roleMappings: parseRoleMappings(row.roleMappings) };
}

export async function getSsoSettings({
  db,
  workspaceId,
}: {
  db: Db;
  workspaceId: string;
}): Promise<SsoSettings | null> {
  const row = await scoped(db, { workspaceId }, (tx) =>
    tx.ssoConfig.findUnique({ where: { workspaceId }, select: SELECT }),
  );
  return row ? view(row) : null;
}

/** The hosts outbound calls of this workspace may reach though private: the provider is reached the same way. */
export async function providerAllowHosts({
  db,
  workspaceId,
  operatorAllowedHosts = [],
}: {
  db: Db;
  workspaceId: string;
  operatorAllowedHosts?: readonly string[];
}): Promise<{ allowHosts: string[]; planId: string }> {
  const workspace = await scoped(db, { workspaceId }, (tx) =>
    tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { allowedHosts: true, planId: true } }),
  );
  return { allowHosts: [...operatorAllowedHosts, ...workspace.allowedHosts], planId: workspace.planId };
}

/**
 * Saves the settings after reading the provider's discovery document with them, so a typo in the issuer is
 * found here rather than at someone's sign-in. The client secret is sealed; it is needed the first time only.
 */
export async function saveSsoSettings({
  db,
  secretBox,
  workspaceId,
  actor,
  operatorAllowedHosts,
  ...input
}: {
  db: Db;
  secretBox: SecretBox;
  workspaceId: string;
  actor: Actor;
  operatorAllowedHosts?: readonly string[];
} & z.output<typeof ssoSettingsInput>): Promise<SsoSettings> {
  const { allowHosts, planId } = await providerAllowHosts({ db, workspaceId, operatorAllowedHosts });
  if (planId === DEMO_PLAN) {
    throw new AppError("FORBIDDEN", "A demo workspace cannot use single sign-on. Sign up to set it up.");
  }
  const existing = await scoped(db, { workspaceId }, (tx) =>
    tx.ssoConfig.findUnique({ where: { workspaceId }, select: { clientSecret: true } }),
  );
  const clientSecret =
    input.clientSecret ?? (existing ? secretBox.open(existing.clientSecret, ssoSecretContext(workspaceId)) : null);
  if (!clientSecret) {
    throw new AppError("BAD_REQUEST", "Enter the client secret the provider gave you.", { field: "clientSecret" });
  }
  if (input.enabled && input.roleMappings.length === 0) {
    throw new AppError("BAD_REQUEST", "Map at least one group to a role: without one nobody could sign in.", {
      field: "roleMappings",
    });
  }
  await discoverProvider({ issuer: input.issuer, clientId: input.clientId, clientSecret, allowHosts });
  const { clientSecret: _typed, ...settings } = input;
  const data = {
    ...settings,
    roleMappings: settings.roleMappings,
    ...(input.clientSecret ? { clientSecret: secretBox.seal(input.clientSecret, ssoSecretContext(workspaceId)) } : {}),
  };
  return scoped(db, { workspaceId }, async (tx) => {
    const row = await tx.ssoConfig.upsert({
      where: { workspaceId },
      create: { workspaceId, ...data, clientSecret: secretBox.seal(clientSecret, ssoSecretContext(workspaceId)) },
      update: data,
      select: SELECT,
    });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "sso.configured",
      details: { ...settings, clientSecretChanged: Boolean(input.clientSecret), created: !existing },
    });
    return view(row);
  });
}

export async function removeSsoSettings({
  db,
  workspaceId,
  actor,
}: {
  db: Db;
  workspaceId: string;
  actor: Actor;
}): Promise<void> {
  await scoped(db, { workspaceId }, async (tx) => {
    const removed = await tx.ssoConfig.deleteMany({ where: { workspaceId } });
    // Removing what is not there changes nothing, so nothing is audited.
    if (removed.count > 0) await recordAudit({ tx, workspaceId, actor, action: "sso.removed" });
  });
}

/** The role of the highest-ranked mapped group a person is in, or null when none of their groups is mapped. */
export function mappedRole({ mappings, groups }: { mappings: RoleMapping[]; groups: readonly string[] }): Role | null {
  const matched = mappings.filter((mapping) => groups.includes(mapping.group)).map((mapping) => mapping.role);
  return ROLES.find((role) => matched.includes(role)) ?? null;
}
