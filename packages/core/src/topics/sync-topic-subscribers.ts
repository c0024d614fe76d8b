// Topics follow the flows: publishing a flow makes the topics its steps name, subscribes its topic triggers
// (keeping the subscription time of those subscribed already, so nothing is delivered twice or skipped) and
// unsubscribes those it no longer has. Pausing a flow keeps its subscription: its messages wait for it.

import { TOPIC_PUBLISH_STEP, TOPIC_TRIGGER } from "@tributary/connectors";
import type { Tx } from "@tributary/db";
import type { FlowGraph } from "@tributary/engine";

export async function syncTopicSubscribers({
  tx,
  workspaceId,
  flowId,
  graph,
}: {
  tx: Tx;
  workspaceId: string;
  flowId: string;
  graph: FlowGraph;
}): Promise<void> {
  const named = graph.steps.filter((step) => step.type === TOPIC_PUBLISH_STEP || step.type === TOPIC_TRIGGER);
  const topicIds = new Map<string, string>();
  for (const name of new Set(named.map((step) => String(step.config.topic)))) {
    const topic = await tx.topic.upsert({
      where: { workspaceId_name: { workspaceId, name } },
      create: { workspaceId, name },
      update: {},
      select: { id: true },
    });
    topicIds.set(name, topic.id);
  }
  const triggers = named.filter((step) => step.type === TOPIC_TRIGGER);
  await tx.topicSubscriber.deleteMany({
    where: {
      flowId,
      NOT: { OR: triggers.map((step) => ({ stepId: step.id, topicId: topicIds.get(String(step.config.topic)) })) },
    },
  });
  for (const step of triggers) {
    await tx.topicSubscriber.upsert({
      where: { flowId_stepId: { flowId, stepId: step.id } },
      create: { workspaceId, flowId, stepId: step.id, topicId: topicIds.get(String(step.config.topic)) as string },
      update: {},
    });
  }
}
