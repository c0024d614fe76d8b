// The ports of listener triggers (HL7 MLLP): assigned from the operator's range by the worker that starts the
// trigger, the same on every worker and across restarts, freed when the trigger leaves its flow.
import { type Db, scoped } from "@tributary/db";

export type PortRange = { low: number; high: number };

/** The trigger's port (kept, or the lowest free one in the range), or null when the range is full. */
export async function assignListenerPort({
  db,
  workspaceId,
  flowId,
  stepId,
  range,
}: {
  db: Db;
  workspaceId: string;
  flowId: string;
  stepId: string;
  range: PortRange;
}): Promise<number | null> {
  const { rows } = await db.sql.query<{ port: number | null }>(
    "SELECT system_listener_port($1, $2, $3, $4, $5) AS port",
    [workspaceId, flowId, stepId, range.low, range.high],
  );
  return rows[0]?.port ?? null;
}

/** Frees the ports of listener triggers no published flow version has any more. */
export async function pruneListenerPorts({ db, types }: { db: Db; types: string[] }): Promise<void> {
  await db.sql.query("SELECT system_prune_listener_ports($1::text[])", [types]);
}

/** A flow's listener ports by trigger step, for the builder. */
export async function listListenerPorts({
  db,
  workspaceId,
  flowId,
}: {
  db: Db;
  workspaceId: string;
  flowId: string;
}): Promise<{ stepId: string; port: number }[]> {
  return scoped(db, { workspaceId }, (tx) =>
    tx.listenerPort.findMany({ where: { workspaceId, flowId }, select: { stepId: true, port: true } }),
  );
}

/** "2575-2599" (or one port, "2575") as a range; refuses anything else with what to write instead. */
export function parsePortRange(text: string): PortRange {
  const match = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5}))?\s*$/.exec(text);
  const low = Number(match?.[1]);
  const high = Number(match?.[2] ?? match?.[1]);
  if (!match || low < 1 || high > 65535 || low > high) {
    throw new Error(`"${text}" is not a port range: write it as LOW-HIGH, e.g. 2575-2599.`);
  }
  return { low, high };
}
