// Workspace-scoped access: the first wall is the workspace filter each query carries; this is the second.
// The settings below are transaction-local, so a pooled connection never carries one tenant's scope into
// another request.
import type { Db } from "./client.ts";
import { Prisma } from "./generated/prisma/client.ts";

export type Tx = Prisma.TransactionClient;

export type Scope = {
  /** The tenant the work belongs to; rows of other workspaces are invisible. */
  workspaceId?: string;
  /** The signed-in user; lets them see their own memberships across workspaces. */
  userId?: string;
};

export type ScopedOptions = {
  timeoutMs?: number;
  /**
   * Read from one snapshot: under the default READ COMMITTED each statement sees what was committed when it
   * began, so the ORM's separate statements for a row and its relations (a run and its steps) can see
   * different moments.
   */
  snapshot?: boolean;
};

/** Runs `work` in one transaction whose row-level security scope is `scope`. */
export async function scoped<T>(
  db: Db,
  scope: Scope,
  work: (tx: Tx) => Promise<T>,
  { timeoutMs = 10_000, snapshot = false }: ScopedOptions = {},
): Promise<T> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT set_config('app.workspace_id', ${scope.workspaceId ?? ""}, true),
                                 set_config('app.user_id', ${scope.userId ?? ""}, true)`;
      return work(tx);
    },
    {
      timeout: timeoutMs,
      maxWait: timeoutMs,
      ...(snapshot ? { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead } : {}),
    },
  );
}
