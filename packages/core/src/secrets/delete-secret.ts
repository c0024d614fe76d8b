import { type Db, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { notFound } from "../errors/app-error.ts";
import { secretNameSchema } from "./secret-names.ts";

export const deleteSecretInput = z.object({ name: secretNameSchema });

export async function deleteSecret({
  db,
  workspaceId,
  actor,
  name,
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof deleteSecretInput>): Promise<void> {
  await scoped(db, { workspaceId }, async (tx) => {
    const deleted = await tx.secret.deleteMany({ where: { workspaceId, name } });
    if (deleted.count === 0) throw notFound(`The secret ${name}`);
    await tx.workspace.update({ where: { id: workspaceId }, data: { secretsVersion: { increment: 1 } } });
    await recordAudit({ tx, workspaceId, actor, action: "secret.deleted", target: { type: "secret", id: name } });
  });
}
