// The topics page: each topic with what waits on it (depth: messages some subscriber has yet to take; the
// oldest of them) and its subscribers, each with its own depth and last failed delivery.
import { type Db, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { notFound } from "../errors/app-error.ts";

export type TopicSubscriberView = {
  flowId: string;
  flowName: string;
  stepId: string;
  subscribedAt: Date;
  depth: number;
  oldestAt: Date | null;
  lastError: string | null;
};

export type TopicView = {
  id: string;
  name: string;
  maxDepth: number;
  maxAgeSeconds: number;
  createdAt: Date;
  depth: number;
  oldestAt: Date | null;
  subscribers: TopicSubscriberView[];
};

export async function listTopics({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<TopicView[]> {
  return scoped(db, { workspaceId }, async (tx) => {
    const topics = await tx.topic.findMany({
      where: { workspaceId },
      orderBy: { name: "asc" },
      include: { subscribers: { include: { flow: { select: { name: true } } }, orderBy: { subscribedAt: "asc" } } },
    });
    const waiting = await tx.$queryRaw<
      { flow_id: string; step_id: string; depth: bigint; oldest_at: Date; last_error: string | null }[]
    >`SELECT d.flow_id::text, d.step_id, count(*) AS depth, min(m.published_at) AS oldest_at,
             (array_agg(d.last_error ORDER BY m.id DESC) FILTER (WHERE d.last_error IS NOT NULL))[1] AS last_error
        FROM topic_deliveries d JOIN topic_messages m ON m.id = d.message_id
       WHERE d.workspace_id = ${workspaceId}::uuid
       GROUP BY d.flow_id, d.step_id`;
    const perTopic = await tx.$queryRaw<{ topic_id: string; depth: bigint; oldest_at: Date }[]>`
      SELECT m.topic_id::text, count(*) AS depth, min(m.published_at) AS oldest_at FROM topic_messages m
       WHERE m.workspace_id = ${workspaceId}::uuid
         AND EXISTS (SELECT 1 FROM topic_deliveries d WHERE d.message_id = m.id)
       GROUP BY m.topic_id`;
    const byTopic = new Map(perTopic.map((row) => [row.topic_id, row]));
    const bySubscriber = new Map(waiting.map((row) => [`${row.flow_id}:${row.step_id}`, row]));
    return topics.map((topic) => {
      const subscribers = topic.subscribers.map((subscriber) => {
        const row = bySubscriber.get(`${subscriber.flowId}:${subscriber.stepId}`);
        return {
          flowId: subscriber.flowId,
          flowName: subscriber.flow.name,
          stepId: subscriber.stepId,
          subscribedAt: subscriber.subscribedAt,
          depth: Number(row?.depth ?? 0),
          oldestAt: row?.oldest_at ?? null,
          lastError: row?.last_error ?? null,
        };
      });
      const waitingOnTopic = byTopic.get(topic.id);
      return {
        id: topic.id,
        name: topic.name,
        maxDepth: topic.maxDepth,
        maxAgeSeconds: topic.maxAgeSeconds,
        createdAt: topic.createdAt,
        depth: Number(waitingOnTopic?.depth ?? 0),
        oldestAt: waitingOnTopic?.oldest_at ?? null,
        subscribers,
      };
    });
  });
}

export const updateTopicInput = z.object({
  topicId: z.uuid(),
  maxDepth: z.number().int().min(1).max(10_000_000),
  maxAgeSeconds: z
    .number()
    .int()
    .min(60)
    .max(90 * 24 * 3600),
});

/** Sets how much may wait on a topic for a subscriber that does not take its messages. */
export async function updateTopic({
  db,
  workspaceId,
  actor,
  topicId,
  maxDepth,
  maxAgeSeconds,
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof updateTopicInput>): Promise<void> {
  await scoped(db, { workspaceId }, async (tx) => {
    const updated = await tx.topic.updateMany({
      where: { id: topicId, workspaceId },
      data: { maxDepth, maxAgeSeconds },
    });
    if (updated.count === 0) throw notFound("That topic");
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "topic.saved",
      target: { type: "topic", id: topicId },
      details: { maxDepth, maxAgeSeconds },
    });
  });
}
