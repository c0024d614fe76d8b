// The messages waiting for one subscriber (a flow's topic trigger), oldest first, and their settling: a
// delivery is removed once the subscriber's run for it is committed, or dropped when it waited past the
// topic's age limit. The run intake's idempotency key per (message, subscriber) makes a delivery repeated
// after a worker crash (run committed, delivery not yet removed) the same run. A message outlives its
// deliveries for a day: a publishing step repeated after its worker was lost finds it and publishes nothing.
import { type Db, sqlInWorkspace } from "@tributary/db";
import type { MessageHeader } from "@tributary/engine";
import { runsById } from "../runs/runs-by-id.ts";

export type PendingDelivery = { messageId: string; body: unknown; headers: MessageHeader[]; publishedAt: Date };

/** How long a publish key is recognised: a publishing run is taken over well within it. */
const PUBLISH_KEY_WINDOW = "24 hours";

type Subscriber = { db: Db; workspaceId: string; flowId: string; stepId: string };

/**
 * Up to `limit` waiting messages, oldest first. With `expire`, those past the topic's age limit are dropped
 * first, and so are the workspace's messages that nobody waits for and are past the day a repeated publish
 * is recognised in.
 */
export async function pendingDeliveries({
  db,
  workspaceId,
  flowId,
  stepId,
  limit,
  expire,
}: Subscriber & { limit: number; expire: boolean }): Promise<{ deliveries: PendingDelivery[]; expired: number }> {
  return sqlInWorkspace(db.sql, workspaceId, async (client) => {
    let expired = 0;
    if (expire) {
      const dropped = await client.query(
        `DELETE FROM topic_deliveries d USING topic_messages m, topics t
          WHERE d.flow_id = $1 AND d.step_id = $2 AND m.id = d.message_id AND t.id = m.topic_id
            AND m.published_at < now() - make_interval(secs => t.max_age_seconds)`,
        [flowId, stepId],
      );
      expired = dropped.rowCount ?? 0;
      await client.query(
        `DELETE FROM topic_messages m WHERE m.published_at < now() - interval '${PUBLISH_KEY_WINDOW}'
            AND NOT EXISTS (SELECT 1 FROM topic_deliveries d WHERE d.message_id = m.id)`,
      );
    }
    const { rows } = await client.query<{ id: string; body: unknown; headers: MessageHeader[]; published_at: Date }>(
      `SELECT m.id, m.body, m.headers, m.published_at
         FROM topic_deliveries d JOIN topic_messages m ON m.id = d.message_id
        WHERE d.flow_id = $1 AND d.step_id = $2
        ORDER BY m.id LIMIT $3`,
      [flowId, stepId, limit],
    );
    return {
      expired,
      deliveries: rows.map((row) => ({
        messageId: row.id,
        body: row.body,
        headers: row.headers,
        publishedAt: row.published_at,
      })),
    };
  });
}

/** Removes deliveries whose runs are committed. */
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
        `SELECT r.id FROM ${runsById("$1")} WHERE r.status IN ('succeeded', 'failed', 'cancelled')`,
        [runIds],
      ),
    { durable: false },
  );
  return new Set(rows.map((row) => row.id));
}
