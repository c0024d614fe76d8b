// A publish to a topic: the message and one delivery per subscriber, in one transaction. The publishing
// activation's idempotency key names the message, so a step repeated after its worker was lost (before its
// checkpoint) finds its message published already and publishes nothing more: a publish counts once, with
// the checkpoint that records it.
import { type Db, sqlInWorkspace, uuidv7 } from "@tributary/db";
import type { MessageHeader } from "@tributary/engine";
import { AppError } from "../errors/app-error.ts";

export type Published = { messageId: string; subscribers: number; duplicate: boolean };

export async function publishToTopic({
  db,
  workspaceId,
  topic,
  publishKey,
  body,
  headers,
}: {
  db: Db;
  workspaceId: string;
  topic: string;
  publishKey: string;
  body: unknown;
  headers: MessageHeader[];
}): Promise<Published> {
  return sqlInWorkspace(db.sql, workspaceId, async (client) => {
    // A draft tested before its flow was ever published makes its topic too.
    await client.query(
      "INSERT INTO topics (id, workspace_id, name) VALUES ($1, $2, $3) ON CONFLICT (workspace_id, name) DO NOTHING",
      [uuidv7(), workspaceId, topic],
    );
    const found = await client.query<{ id: string; max_depth: number; max_age_seconds: number }>(
      "SELECT id, max_depth, max_age_seconds FROM topics WHERE name = $1 FOR SHARE",
      [topic],
    );
    const row = found.rows[0] as { id: string; max_depth: number; max_age_seconds: number };
    const earlier = await client.query<{ id: string; subscribers: string }>(
      `SELECT m.id, (SELECT count(*) FROM topic_deliveries d WHERE d.message_id = m.id) AS subscribers
         FROM topic_messages m WHERE m.publish_key = $1`,
      [publishKey],
    );
    const repeat = earlier.rows[0];
    if (repeat) return { messageId: repeat.id, subscribers: Number(repeat.subscribers), duplicate: true };

    // A subscriber that does not take its messages holds the publishers back once it has max_depth waiting
    // (not counting those past the age limit: they are dropped, not delivered).
    const full = await client.query<{ flow_id: string }>(
      `SELECT d.flow_id FROM topic_deliveries d JOIN topic_messages m ON m.id = d.message_id
        WHERE m.topic_id = $1 AND m.published_at >= now() - make_interval(secs => $3)
        GROUP BY d.flow_id, d.step_id HAVING count(*) >= $2 LIMIT 1`,
      [row.id, row.max_depth, row.max_age_seconds],
    );
    if (full.rows.length > 0) {
      throw new AppError(
        "TOO_MANY_REQUESTS",
        `The topic "${topic}" is full: a subscriber has ${row.max_depth} messages waiting. Raise its depth or see why its flow does not take them.`,
        { flowId: full.rows[0]?.flow_id },
      );
    }
    const messageId = uuidv7();
    await client.query(
      `INSERT INTO topic_messages (id, workspace_id, topic_id, publish_key, body, headers)
       VALUES ($1, $2, $3, $4, $5::json, $6::json)`,
      [messageId, workspaceId, row.id, publishKey, JSON.stringify(body ?? null), JSON.stringify(headers)],
    );
    const delivered = await client.query(
      `INSERT INTO topic_deliveries (workspace_id, message_id, flow_id, step_id)
       SELECT workspace_id, $1, flow_id, step_id FROM topic_subscribers WHERE topic_id = $2`,
      [messageId, row.id],
    );
    return { messageId, subscribers: delivered.rowCount ?? 0, duplicate: false };
  });
}
