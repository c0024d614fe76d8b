// A webhook request accepted is a run committed: the run and its message are in Postgres before any 2xx (and a
// message a subscription trigger received is in Postgres before the broker hears the ack).
// With an idempotency key, the first request within 24 hours starts the run and every repeat gets its
// answer, also when they arrive at the same moment (the key's row is locked by the first).
import { type Db, sqlInWorkspace, uuidv7 } from "@tributary/db";
import type { Message } from "@tributary/engine";

export type AcceptedRun = { runId: string; messageId: string; duplicate: boolean };

export async function acceptRun({
  db,
  workspaceId,
  flowId,
  versionId,
  triggerStepId,
  message,
  idempotencyKey,
  trigger = "webhook",
}: {
  db: Db;
  workspaceId: string;
  flowId: string;
  versionId: string;
  triggerStepId: string;
  message: Message;
  idempotencyKey: string | null;
  /** What started it: webhook, or the subscription trigger that received the message. */
  trigger?: string;
}): Promise<AcceptedRun> {
  const runId = uuidv7();
  return sqlInWorkspace(db.sql, workspaceId, async (client) => {
    if (idempotencyKey) {
      const claimed = await client.query<{ run_id: string }>(
        `INSERT INTO webhook_idempotency (workspace_id, key, run_id, message_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (workspace_id, key) DO UPDATE SET run_id = EXCLUDED.run_id, message_id = EXCLUDED.message_id, created_at = now()
           WHERE webhook_idempotency.created_at < now() - interval '24 hours'
         RETURNING run_id`,
        [workspaceId, idempotencyKey, runId, message.id],
      );
      if (claimed.rowCount === 0) {
        const first = await client.query<{ run_id: string; message_id: string }>(
          "SELECT run_id, message_id FROM webhook_idempotency WHERE workspace_id = $1 AND key = $2",
          [workspaceId, idempotencyKey],
        );
        const row = first.rows[0];
        if (row) return { runId: row.run_id, messageId: row.message_id, duplicate: true };
      }
    }
    await client.query(
      `INSERT INTO runs (id, workspace_id, flow_id, flow_version_id, trigger, trigger_step_id, message_id, input)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
      [runId, workspaceId, flowId, versionId, trigger, triggerStepId, message.id, JSON.stringify(message)],
    );
    return { runId, messageId: message.id, duplicate: false };
  });
}

/** How a run stands, for a caller waiting on it (or repeating an idempotent request). */
export async function runOutcome({ db, workspaceId, runId }: { db: Db; workspaceId: string; runId: string }) {
  return sqlInWorkspace(db.sql, workspaceId, async (client) => {
    const { rows } = await client.query<{
      status: string;
      output: Message | null;
      response: { status: number; headers: Record<string, string>; body: unknown } | null;
      error: { message: string } | null;
    }>("SELECT status, output, response, error FROM runs WHERE id = $1", [runId]);
    return rows[0] ?? null;
  });
}
