// Publishes from a run's steps to the workspace's topics. A refusal the flow can act on (no such topic, a full
// topic) is a step failure; a full topic is transient, so the step's retries wait for subscribers to catch up.
import { StepFailure, type TopicPublisher } from "@tributary/connectors";
import { AppError, type Db, publishToTopic } from "@tributary/core";

export function topicPublisherFor({ db, workspaceId }: { db: Db; workspaceId: string }): TopicPublisher {
  return {
    async publish({ topic, body, headers, key }) {
      try {
        return await publishToTopic({ db, workspaceId, topic, publishKey: key, body, headers });
      } catch (error) {
        if (error instanceof AppError) {
          throw new StepFailure(error.message, {
            transient: error.code === "TOO_MANY_REQUESTS",
            code: error.code === "TOO_MANY_REQUESTS" ? "topic_full" : "topic_refused",
          });
        }
        throw error;
      }
    },
  };
}
