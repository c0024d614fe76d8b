import { CONNECTION_TYPES, type ConnectionTest, createGuardedHttpClient } from "@tributary/connectors";
import { type Db, type SecretBox, scoped } from "@tributary/db";
import { AppError } from "../errors/app-error.ts";
import { outboundPolicy } from "../workspaces/outbound-policy.ts";
import { loadConnection } from "./load-connection.ts";

/** The availability ping: tries the connection now and remembers the answer. */
export async function testConnection({
  db,
  secretBox,
  workspaceId,
  connectionId,
  operatorAllowedHosts,
}: {
  db: Db;
  secretBox: SecretBox;
  workspaceId: string;
  connectionId: string;
  /** OUTBOUND_ALLOWED_HOSTS, as the worker applies it. */
  operatorAllowedHosts?: readonly string[];
}): Promise<ConnectionTest> {
  const connection = await loadConnection({ db, secretBox, workspaceId, connectionId });
  const definition = CONNECTION_TYPES.get(connection.type);
  if (!definition)
    throw new AppError("PRECONDITION_FAILED", `Connections of type "${connection.type}" are not supported any more.`);
  const parsed = definition.config.safeParse(connection.config);
  const workspace = await scoped(db, { workspaceId }, (tx) =>
    tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { allowedHosts: true, planId: true } }),
  );
  const http = createGuardedHttpClient({
    ...outboundPolicy({ ...workspace, operatorAllowedHosts }),
    timeoutMs: 10_000,
  });
  let result: ConnectionTest;
  try {
    result = parsed.success
      ? await definition.test({ config: parsed.data, http, signal: AbortSignal.timeout(15_000) })
      : { ok: false, message: `The connection's settings are not valid: ${parsed.error.issues[0]?.message}` };
  } finally {
    await http.close();
  }
  await scoped(db, { workspaceId }, (tx) =>
    tx.connection.update({
      where: { id: connectionId },
      data: { lastCheckedAt: new Date(), lastCheckOk: result.ok, lastCheckNote: result.message },
    }),
  );
  return result;
}
