// The messages waiting for one subscriber (a flow's topic trigger), oldest first, and their settling: a
// delivery is removed once the subscriber's run for it is committed, or dropped when it waited past the
// topic's age limit. The run intake's idempotency key per (message, subscriber) makes a delivery repeated
// after a worker crash (run committed, delivery not yet removed) the same run.
import { type Db, sqlInWorkspace } from "@tributary/db";
import type { MessageHeader } from "@tributary/engine";

export type PendingDelivery = { messageId: string; body: unknown; headers: MessageHeader[]; publishedAt: Date };

type Subscriber = { db: Db; workspaceId: string; flowId: string; stepId: string };

/** Up to `limit` waiting messages, oldest first; those past the topic's age limit are dropped first. */
export async function pendingDeliveries({
  db,
  workspaceId,
  flowId,
  stepId,
  limit,
}: Subscriber & { limit: number }): Promise<{ deliveries: PendingDelivery[]; expired: number }> {
  return sqlInWorkspace(db.sql, workspaceId, async (client) => {
    const expired = await client.query(
      `DELETE FROM topic_deliveries d USING topic_messages m, topics t
        WHERE d.flow_id = $1 AND d.step_id = $2 AND m.id = d.message_id AND t.id = m.topic_id
          AND m.published_at < now() - make_interval(secs => t.max_age_seconds)`,
      [flowId, stepId],
    );
    // Messages kept only to recognise a repeated publish go with their age limit too.
    await client.query(
      `DELETE FROM topic_messages m USING topics t
        WHERE t.id = m.topic_id AND m.published_at < now() - make_interval(secs => t.max_age_seconds)
          AND NOT EXISTS (SELECT 1 FROM topic_deliveries d WHERE d.message_id = m.id)`,
    );
    const { rows } = await client.query<{ id: string; body: unknown; headers: MessageHeader[]; published_at: Date }>(
      `SELECT m.id, m.body, m.headers, m.published_at
         FROM topic_deliveries d JOIN topic_messages m ON m.id = d.message_id
        WHERE d.flow_id = $1 AND d.step_id = $2
        ORDER BY m.id LIMIT $3`,
      [flowId, stepId, limit],
    );
    return {
      expired: expired.rowCount ?? 0,
      deliveries: rows.map((row) => ({
        messageId: row.id,
        body: row.body,
        headers: row.headers,
        publishedAt: row.published_at,
      })),
    };
  });
}

/** Removes deliveries whose runs are committed, and messages no subscriber waits for any more. */
export async function settleDeliveries({
  db,
  workspaceId,
  flowId,
  stepId,
  messageIds,
}: Subscriber & { messageIds: string[] }) {
  if (!messageIds.length) return;
  await sqlInWorkspace(db.sql, workspaceId, async (client) => {
    await client.query(
      "DELETE FROM topic_deliveries WHERE flow_id = $1 AND step_id = $2 AND message_id = ANY($3::uuid[])",
      [flowId, stepId, messageIds],
    );
    await client.query(
      `DELETE FROM topic_messages m WHERE m.id = ANY($1::uuid[])
          AND NOT EXISTS (SELECT 1 FROM topic_deliveries d WHERE d.message_id = m.id)`,
      [messageIds],
    );
  });
}

/** Counts a failed delivery try, with its reason, for the topics page; the delivery waits to be tried again. */
export async function noteDeliveryFailure({
  db,
  workspaceId,
  flowId,
  stepId,
  messageId,
  error,
}: Subscriber & { messageId: string; error: string }) {
  await sqlInWorkspace(db.sql, workspaceId, (client) =>
    client.query(
      `UPDATE topic_deliveries SET attempts = attempts + 1, last_error = $4
        WHERE flow_id = $1 AND step_id = $2 AND message_id = $3`,
      [flowId, stepId, messageId, error.slice(0, 2000)],
    ),
  );
}

/** Which of these runs have ended (succeeded, failed or cancelled): for subscribers that keep order per key. */
export async function endedRuns({
  db,
  workspaceId,
  runIds,
}: {
  db: Db;
  workspaceId: string;
  runIds: string[];
}): Promise<Set<string>> {
  if (!runIds.length) return new Set();
  const { rows } = await sqlInWorkspace(
    db.sql,
    workspaceId,
    (client) =>
      client.query<{ id: string }>(
        "SELECT id FROM runs WHERE id = ANY($1::uuid[]) AND status IN ('succeeded', 'failed', 'cancelled')",
        [runIds],
      ),
    { durable: false },
  );
  return new Set(rows.map((row) => row.id));
}
