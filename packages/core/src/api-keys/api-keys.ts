// Workspace API keys: made by owners and admins with a role of at most admin and an optional expiry, shown
// once, kept as a SHA-256 hash, revocable. "trb_<prefix>_<secret>": the prefix finds the key, the secret
// proves it.
import { createHash, randomBytes } from "node:crypto";
import { type Db, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { notFound } from "../errors/app-error.ts";

// Admin, so that what an admin may change through the API (the allowed hosts) has a key to do it with; never owner.
export const API_KEY_ROLES = ["admin", "editor", "operator", "viewer"] as const;

export const createApiKeyInput = z.object({
  name: z.string().trim().min(1, { message: "Name the key after what uses it, e.g. CI deploys." }).max(120),
  role: z.enum(API_KEY_ROLES),
  expiresAt: z.coerce
    .date()
    .refine((date) => date.getTime() > Date.now(), { message: "The expiry must be in the future." })
    .optional(),
});

export const apiKeyIdInput = z.object({ keyId: z.uuid() });

export type ApiKeyView = {
  id: string;
  name: string;
  role: (typeof API_KEY_ROLES)[number];
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

export const hashApiKey = (secret: string) => createHash("sha256").update(secret).digest();

export async function createApiKey({
  db,
  workspaceId,
  actor,
  name,
  role,
  expiresAt,
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof createApiKeyInput>): Promise<{
  id: string;
  key: string;
}> {
  const prefix = randomBytes(6).toString("hex");
  const key = `trb_${prefix}_${randomBytes(32).toString("base64url")}`;
  return scoped(db, { workspaceId }, async (tx) => {
    const created = await tx.apiKey.create({
      data: {
        workspaceId,
        name,
        role,
        prefix,
        hash: hashApiKey(key),
        createdById: actor.userId,
        expiresAt: expiresAt ?? null,
      },
      select: { id: true },
    });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "api_key.created",
      target: { type: "api_key", id: created.id },
      details: { name, role, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return { id: created.id, key };
  });
}

export async function listApiKeys({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<ApiKeyView[]> {
  const keys = await scoped(db, { workspaceId }, (tx) =>
    tx.apiKey.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" } }),
  );
  return keys.map((key) => ({
    id: key.id,
    name: key.name,
    role: key.role as ApiKeyView["role"],
    prefix: `trb_${key.prefix}_…`,
    createdAt: key.createdAt,
    expiresAt: key.expiresAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  }));
}

export async function revokeApiKey({
  db,
  workspaceId,
  actor,
  keyId,
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof apiKeyIdInput>): Promise<void> {
  await scoped(db, { workspaceId }, async (tx) => {
    const revoked = await tx.apiKey.updateMany({
      where: { id: keyId, workspaceId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (revoked.count === 0) throw notFound("That API key");
    await recordAudit({ tx, workspaceId, actor, action: "api_key.revoked", target: { type: "api_key", id: keyId } });
  });
}
