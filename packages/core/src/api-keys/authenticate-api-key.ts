// Who a bearer API key is: its workspace and role, or one and the same refusal for a key that is unknown,
// wrong, revoked or expired. The comparison runs in constant time; the last use is written at most once a
// minute.
import { timingSafeEqual } from "node:crypto";
import { type Db, type Role, scoped, sqlInWorkspace } from "@tributary/db";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError } from "../errors/app-error.ts";
import { hashApiKey } from "./api-keys.ts";

export type ApiKeyPrincipal = { keyId: string; name: string; workspaceId: string; role: Role };

const KEY = /^trb_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;

const refused = () =>
  new AppError("UNAUTHORIZED", "Send a valid API key: Authorization: Bearer trb_… (create one on the API keys page).");

export async function authenticateApiKey({ db, token }: { db: Db; token: string }): Promise<ApiKeyPrincipal> {
  const prefix = KEY.exec(token)?.[1];
  if (!prefix) throw refused();
  const { rows } = await db.sql.query<{
    id: string;
    workspace_id: string;
    name: string;
    role: Role;
    hash: Buffer;
    expires_at: Date | null;
    revoked_at: Date | null;
  }>("SELECT id, workspace_id, name, role, hash, expires_at, revoked_at FROM system_api_key($1)", [prefix]);
  const key = rows[0];
  const matches = key ? timingSafeEqual(key.hash, hashApiKey(token)) : false;
  if (!key || !matches || key.revoked_at || (key.expires_at && key.expires_at.getTime() <= Date.now())) throw refused();
  await sqlInWorkspace(db.sql, key.workspace_id, (client) =>
    client.query(
      "UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
      [key.id],
    ),
  );
  return { keyId: key.id, name: key.name, workspaceId: key.workspace_id, role: key.role };
}

/** Who an API key acts as: the key itself, named in the audit log. */
export function apiKeyActor(principal: ApiKeyPrincipal, ip: string | null): Actor {
  return { userId: principal.keyId, email: `API key "${principal.name}"`, ip };
}

/** Every call made with a key goes into the workspace's audit log. */
export async function recordApiCall({
  db,
  principal,
  ip,
  method,
  path,
  status,
}: {
  db: Db;
  principal: ApiKeyPrincipal;
  ip: string | null;
  method: string;
  path: string;
  status: number;
}): Promise<void> {
  await scoped(db, { workspaceId: principal.workspaceId }, (tx) =>
    recordAudit({
      tx,
      workspaceId: principal.workspaceId,
      actor: apiKeyActor(principal, ip),
      action: "api.call",
      target: { type: "api_key", id: principal.keyId },
      details: { method, path, status },
    }),
  );
}
