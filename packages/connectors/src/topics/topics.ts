// Topics between flows: a step publishes the message to a named topic of the workspace, and every flow with a
// topic trigger on it gets its own run for each message published after it subscribed. Messages wait in
// Postgres for each subscriber until its run is committed, so a subscriber that is paused, failing or slow
// loses nothing (up to the topic's depth and age), and a worker crash neither loses nor repeats a message.
import { z } from "zod";
import {
  defineAction,
  defineConnector,
  defineTrigger,
  type SubscribeContext,
  type Subscription,
  text,
} from "../define.ts";

export const TOPIC_PUBLISH_STEP = "topic.publish";
export const TOPIC_TRIGGER = "trigger.topic";
/** The publisher's ordering key, carried with the message for subscribers that keep order per key. */
const KEY_HEADER = "x-topic-key";
const TOPIC_HEADERS = new Set(["x-topic", "x-topic-message-id", KEY_HEADER]);

const topicName = z
  .string()
  .min(1, { message: "Name the topic." })
  .max(120)
  .regex(/^[A-Za-z0-9][\w.:/-]*$/, { message: "A topic name: letters, digits and _ . : / - (e.g. orders.created)." })
  .meta({ title: "Topic", description: "Made when the first flow that names it is published." });

export const publishToTopic = defineAction({
  type: TOPIC_PUBLISH_STEP,
  example: { config: { topic: "orders.created" } },
  title: "Publish to topic",
  description:
    "Publishes the message to a topic: every flow subscribed to it gets it, once, even across worker crashes. Passes the message on.",
  category: "Topics",
  config: z.object({
    topic: topicName,
    body: z.unknown().optional().meta({
      title: "Message",
      description: "Empty: the message body. E.g. {{ order }} to publish one field.",
      widget: "json",
    }),
    key: text().optional().meta({
      title: "Ordering key",
      description:
        "E.g. {{ customerId }}. Subscribers that keep order get the messages of one key one run after another.",
    }),
  }),
  async run({ config, message, topics, idempotencyKey, log }) {
    const headers = message.headers.filter((header) => !TOPIC_HEADERS.has(header.name));
    const published = await topics.publish({
      topic: config.topic,
      body: config.body === undefined || config.body === "" ? message.body : config.body,
      headers: config.key ? [...headers, { name: KEY_HEADER, value: config.key }] : headers,
      key: idempotencyKey,
    });
    log(
      "info",
      `${published.duplicate ? "Published already" : "Published"} to "${config.topic}" as ${published.messageId} for ${published.subscribers} subscriber${published.subscribers === 1 ? "" : "s"}.`,
    );
    return { headers: [...message.headers, { name: "x-topic-message-id", value: published.messageId }] };
  },
});

/** How often a topic trigger looks for new messages when it found none. */
const POLL_MS = 200;
const BATCH = 100;

export const topicTrigger = defineTrigger({
  type: TOPIC_TRIGGER,
  example: { config: { topic: "orders.created" } },
  title: "Topic",
  description:
    "Starts a run for every message published to the topic after the flow subscribed (when it was published). Messages wait while the flow is paused.",
  category: "Topics",
  config: z.object({
    topic: topicName,
    ordered: z.boolean().default(false).meta({
      title: "Keep order per key",
      description:
        "A message with the publisher's ordering key waits until the run of the key's previous message has ended. Off: runs of one topic overlap.",
    }),
  }),
  subscribe: async (context) => consumeTopic(context),
});

/**
 * Delivers waiting messages one by one in publish order; each becomes a run, then leaves the topic. Keeping
 * order per key, a keyed message leaves the topic only once its run has ended, and the next of its key waits
 * for that: after a crash the message is delivered again, finds its run (the same idempotency key), and the
 * order holds.
 */
async function consumeTopic({
  config,
  topic,
  deliver,
  log,
}: SubscribeContext<{ topic: string; ordered: boolean }>): Promise<Subscription> {
  let stopped = false;
  let wake = () => {};
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  /** Ordered keys whose last run has not ended: key → that run and its message. */
  const running = new Map<string, { runId: string; messageId: string }>();
  const ended = (async (): Promise<Error | null> => {
    while (!stopped) {
      try {
        const done = await topic.ended([...running.values()].map((entry) => entry.runId));
        const settled: string[] = [];
        for (const [key, entry] of running) {
          if (!done.has(entry.runId)) continue;
          running.delete(key);
          settled.push(entry.messageId);
        }
        const batch = await topic.pending(BATCH);
        const blocked = new Set(running.keys());
        let failed = false;
        for (const item of batch) {
          if (stopped) break;
          const key = config.ordered ? item.headers.find((header) => header.name === KEY_HEADER)?.value : undefined;
          if (key !== undefined && blocked.has(key)) continue;
          try {
            // The key per (message, subscriber): a delivery repeated after a crash finds its run.
            const run = await deliver({
              body: item.body,
              headers: [
                ...item.headers.filter((header) => header.name !== "x-topic" && header.name !== "x-topic-message-id"),
                { name: "x-topic", value: config.topic },
                { name: "x-topic-message-id", value: item.messageId },
              ],
              dedupeKey: `topic:${item.messageId}`,
            });
            if (key === undefined) settled.push(item.messageId);
            else {
              running.set(key, { runId: run.runId, messageId: item.messageId });
              blocked.add(key);
            }
          } catch (error) {
            // Later messages wait behind it: subscribers get them in publish order.
            failed = true;
            log("warn", `Message ${item.messageId} could not start a run: ${(error as Error).message}`);
            await topic.failed(item.messageId, (error as Error).message);
            break;
          }
        }
        await topic.settle(settled);
        if (failed || batch.length < BATCH || running.size > 0) await nap(failed ? POLL_MS * 10 : POLL_MS);
      } catch (error) {
        return error as Error;
      }
    }
    return null;
  })();
  return {
    ended,
    async close() {
      stopped = true;
      wake();
      await ended;
    },
  };
}

export const topicsConnector = defineConnector({
  id: "topics",
  title: "Topics",
  description: "Publish/subscribe between the workspace's flows, with guaranteed delivery.",
  steps: [publishToTopic, topicTrigger],
});
