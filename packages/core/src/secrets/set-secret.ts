import { type Db, type SecretBox, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { secretContext, secretNameSchema } from "./secret-names.ts";

export const setSecretInput = z.object({
  name: secretNameSchema,
  value: z
    .string()
    .min(1, { message: "A secret needs a value." })
    .max(64 * 1024),
});

/** Creates or replaces a secret. Its value is sealed before it reaches the database and never shown again. */
export async function setSecret({
  db,
  secretBox,
  workspaceId,
  actor,
  name,
  value,
}: { db: Db; secretBox: SecretBox; workspaceId: string; actor: Actor } & z.output<
  typeof setSecretInput
>): Promise<void> {
  const ciphertext = secretBox.seal(value, secretContext({ workspaceId, name }));
  await scoped(db, { workspaceId }, async (tx) => {
    await tx.secret.upsert({
      where: { workspaceId_name: { workspaceId, name } },
      create: { workspaceId, name, ciphertext, updatedById: actor.userId },
      update: { ciphertext, updatedById: actor.userId },
    });
    await tx.workspace.update({ where: { id: workspaceId }, data: { secretsVersion: { increment: 1 } } });
    await recordAudit({ tx, workspaceId, actor, action: "secret.saved", target: { type: "secret", id: name } });
  });
}
