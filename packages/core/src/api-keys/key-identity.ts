import { type Db, type Role, scoped } from "@tributary/db";
import type { ApiKeyPrincipal } from "./authenticate-api-key.ts";

export type KeyIdentity = {
  keyId: string;
  name: string;
  role: Role;
  workspace: { id: string; slug: string; name: string };
};

/** Who a key is: its name and role and the workspace it acts in (the CLI's `whoami`). */
export async function keyIdentity({ db, principal }: { db: Db; principal: ApiKeyPrincipal }): Promise<KeyIdentity> {
  const workspace = await scoped(db, { workspaceId: principal.workspaceId }, (tx) =>
    tx.workspace.findUniqueOrThrow({
      where: { id: principal.workspaceId },
      select: { id: true, slug: true, name: true },
    }),
  );
  return { keyId: principal.keyId, name: principal.name, role: principal.role, workspace };
}
