import { randomUUID } from "node:crypto";
import { type Db, Prisma, scoped, type Tx } from "@tributary/db";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { assertSignedUp, DEMO_PLAN } from "../demo/demo-plan.ts";
import { AppError } from "../errors/app-error.ts";
import { slugFromName } from "./slug.ts";

export type WorkspaceSummary = { id: string; slug: string; name: string };

/**
 * Creates a workspace owned by `actor`. Without a chosen slug one is derived from the name, with a random
 * suffix when taken; a chosen slug that is taken is a CONFLICT. Demo visitors must sign up first.
 */
export async function createWorkspace({
  db,
  actor,
  name,
  slug,
  planId = "free",
}: {
  db: Db;
  actor: Actor;
  name: string;
  slug?: string;
  planId?: string;
}): Promise<WorkspaceSummary> {
  // A demo visitor has the one demo workspace made for them; more would escape the demo's limits and clean-up.
  if (planId !== DEMO_PLAN) await assertSignedUp({ db, userId: actor.userId, doing: "create workspaces" });
  for (let attempt = 0; ; attempt++) {
    const candidate = slug ?? slugFromName({ name, suffix: attempt > 0 });
    try {
      return await insertWorkspace({ db, actor, name, slug: candidate, planId });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (slug) throw new AppError("CONFLICT", `The slug "${slug}" is taken; choose another.`, { field: "slug" });
      if (attempt >= 5) throw error;
    }
  }
}

async function insertWorkspace({
  db,
  actor,
  name,
  slug,
  planId,
}: {
  db: Db;
  actor: Actor;
  name: string;
  slug: string;
  planId: string;
}): Promise<WorkspaceSummary> {
  // The id is chosen here so the transaction can be scoped to the new workspace before its row exists.
  const workspaceId = randomUUID();
  return scoped(db, { workspaceId, userId: actor.userId }, async (tx: Tx) => {
    const workspace = await tx.workspace.create({
      data: { id: workspaceId, slug, name, planId },
      select: { id: true, slug: true, name: true },
    });
    await tx.membership.create({ data: { workspaceId, userId: actor.userId, role: "owner" } });
    await recordAudit({ tx, workspaceId, actor, action: "workspace.created", details: { name, slug } });
    return workspace;
  });
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}
