// An invite token is "<workspaceId>.<secret>". The workspace id lets the acceptance run inside that
// workspace's row-level security scope; only a hash of the whole token is stored, so a database leak
// yields no usable links.
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";

export type InviteToken = { token: string; workspaceId: string; hash: string };

export function newInviteToken(workspaceId: string): InviteToken {
  const token = `${workspaceId}.${randomBytes(32).toString("base64url")}`;
  return { token, workspaceId, hash: hashInviteToken(token) };
}

export function hashInviteToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

const tokenSchema = z.string().regex(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);

/** Null when the token is not even shaped like one of ours. */
export function parseInviteToken(token: string): InviteToken | null {
  if (!tokenSchema.safeParse(token).success) return null;
  const workspaceId = token.slice(0, 36);
  if (!z.uuid().safeParse(workspaceId).success) return null;
  return { token, workspaceId, hash: hashInviteToken(token) };
}
