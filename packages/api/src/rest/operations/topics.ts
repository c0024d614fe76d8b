// Topics between flows: what waits on each (depth, oldest message) and who subscribes, and their limits.
import { listTopics, updateTopic, updateTopicInput } from "@tributary/core";
import { z } from "zod";
import { date, nothing, type Operation, operation } from "../operation.ts";

const topic = z.object({
  id: z.uuid(),
  name: z.string(),
  maxDepth: z.number().int(),
  maxAgeSeconds: z.number().int(),
  createdAt: date,
  depth: z.number().int(),
  oldestAt: date.nullable(),
  subscribers: z.array(
    z.object({
      flowId: z.uuid(),
      flowName: z.string(),
      stepId: z.string(),
      subscribedAt: date,
      depth: z.number().int(),
      oldestAt: date.nullable(),
      lastError: z.string().nullable(),
    }),
  ),
});

export const TOPIC_OPERATIONS: Operation[] = [
  operation({
    id: "listTopics",
    method: "GET",
    path: "/topics",
    summary: "The workspace's topics: messages waiting (depth), the oldest of them, and each subscriber's share",
    action: "runs.read",
    input: z.object({}),
    output: z.object({ topics: z.array(topic) }),
    run: async ({ db, workspaceId }) => ({ topics: await listTopics({ db, workspaceId }) }),
  }),
  operation({
    id: "updateTopic",
    method: "PUT",
    path: "/topics/{topicId}",
    summary:
      "Set how many messages (depth) and for how long (age) a topic keeps for a subscriber that does not take them",
    action: "flows.edit",
    input: updateTopicInput,
    output: nothing,
    run: async ({ db, workspaceId, actor }, input) => {
      await updateTopic({ db, workspaceId, actor, ...input });
      return {};
    },
  }),
];
