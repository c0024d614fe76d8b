import { randomUUID } from "node:crypto";
import { CONNECTION_TYPES } from "@tributary/connectors";
import { type Db, type Prisma, type SecretBox, scoped } from "@tributary/db";
import { firstProblem } from "@tributary/engine";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import { isUniqueViolation } from "../workspaces/create-workspace.ts";
import { connectionContext, openSecrets, splitConfig } from "./connection-secrets.ts";

export const saveConnectionInput = z.object({
  /** Absent: a new connection. */
  connectionId: z.uuid().optional(),
  name: z.string().trim().min(1, { message: "Name the connection." }).max(120),
  type: z.string().min(1),
  /** Secret fields left empty keep their saved values. */
  config: z.record(z.string(), z.unknown()),
});

/** Creates or updates a connection; its config is validated by its type, its secret fields sealed. */
export async function saveConnection({
  db,
  secretBox,
  workspaceId,
  actor,
  connectionId,
  name,
  type,
  config,
}: { db: Db; secretBox: SecretBox; workspaceId: string; actor: Actor } & z.output<
  typeof saveConnectionInput
>): Promise<{ id: string }> {
  const definition = CONNECTION_TYPES.get(type);
  if (!definition) throw new AppError("BAD_REQUEST", `There is no connection type "${type}".`, { field: "type" });
  const id = connectionId ?? randomUUID();
  try {
    return await scoped(db, { workspaceId }, async (tx) => {
      let kept: Record<string, unknown> = {};
      if (connectionId) {
        const existing = await tx.connection.findFirst({
          where: { id, workspaceId },
          select: { type: true, secretConfig: true },
        });
        if (!existing) throw notFound("That connection");
        if (existing.type === type) {
          try {
            kept = openSecrets({ secretBox, envelope: existing.secretConfig, workspaceId, connectionId: id });
          } catch (error) {
            // Unreadable saved secrets: the fields entered now replace them (a missing one is reported below).
            if (!(error instanceof AppError)) throw error;
          }
        }
      }
      const { open, secret } = splitConfig({ config, secretFields: definition.secretFields });
      const merged = { ...open, ...kept, ...secret };
      const parsed = definition.config.safeParse(merged);
      if (!parsed.success) {
        const { field, message } = firstProblem(parsed.error, definition.config);
        throw new AppError("BAD_REQUEST", message, { field: field ? `config.${field}` : "config" });
      }
      const valid = splitConfig({
        config: parsed.data as Record<string, unknown>,
        secretFields: definition.secretFields,
      });
      const secretConfig = Object.keys(valid.secret).length
        ? secretBox.seal(JSON.stringify(valid.secret), connectionContext({ workspaceId, connectionId: id }))
        : null;
      const data = {
        name,
        type,
        config: valid.open as Prisma.InputJsonObject,
        secretConfig,
        lastCheckedAt: null,
        lastCheckOk: null,
        lastCheckNote: null,
      };
      if (connectionId) await tx.connection.update({ where: { id }, data });
      else await tx.connection.create({ data: { id, workspaceId, ...data } });
      await recordAudit({
        tx,
        workspaceId,
        actor,
        action: "connection.saved",
        target: { type: "connection", id },
        details: { name, type },
      });
      return { id };
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("CONFLICT", `A connection named "${name}" exists already.`, { field: "name" });
    throw error;
  }
}
