// Live news of runs over Redis pub/sub, one hub per process: the worker publishes, a waiting webhook caller
// learns its answer (which travels in the event, so the caller needs no database read), the builder and the
// run page watch steps turn green or red. Postgres holds the truth; a missed event only delays a picture.
import type { Message } from "@tributary/engine";
import { redisKeys } from "@tributary/queue";
import { Redis } from "ioredis";
import type { RunResponse } from "./run-store.ts";
import type { RunError } from "./run-views.ts";

export type RunEvent =
  | { type: "step"; runId: string; key: string; stepId: string; status: "running" | "succeeded" | "failed" | "skipped" }
  /** A respond step answered while the run goes on. */
  | { type: "response"; runId: string; response: RunResponse }
  | {
      type: "run";
      runId: string;
      status: "succeeded" | "failed" | "cancelled" | "waiting";
      /** For a caller waiting on the run (sync webhooks): what it answers with. */
      answer?: { response: RunResponse | null; output: Message | null; error: RunError | null };
    };

export type RunWatch = {
  /** Subscribed: no event of the run published from now on can be missed. */
  ready: Promise<void>;
  stop(): void;
};

export type RunEventHub = {
  /** Publishes without waiting: events are nudges, and a lost one is not worth holding a run for. */
  publish(event: RunEvent): void;
  watch(runId: string, listener: (event: RunEvent) => void): RunWatch;
  close(): Promise<void>;
};

export function createRunEventHub({
  redis,
  url,
  keyPrefix,
}: {
  /** For publishing: any connection without a key prefix of its own (channels are never prefixed). */
  redis: Redis;
  /** The subscriber connection is opened on the first watch (a process that only publishes never opens it). */
  url: string;
  keyPrefix: string;
}): RunEventHub {
  const keys = redisKeys(keyPrefix);
  const channels = new Map<string, { listeners: Set<(event: RunEvent) => void>; ready: Promise<void> }>();
  let subscriber: Redis | null = null;

  const subscribed = () => {
    if (subscriber) return subscriber;
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    connection.on("error", () => {});
    connection.on("message", (channel: string, text: string) => {
      const entry = channels.get(channel);
      if (!entry) return;
      let event: RunEvent;
      try {
        event = JSON.parse(text) as RunEvent;
      } catch {
        return; // not one of ours
      }
      for (const listener of entry.listeners) listener(event);
    });
    subscriber = connection;
    return connection;
  };

  return {
    publish(event) {
      redis.publish(keys.runEvents(event.runId), JSON.stringify(event)).catch(() => 0);
    },
    watch(runId, listener) {
      const channel = keys.runEvents(runId);
      const connection = subscribed();
      let entry = channels.get(channel);
      if (!entry) {
        entry = {
          listeners: new Set(),
          ready: connection.subscribe(channel).then(
            () => undefined,
            () => undefined,
          ),
        };
        channels.set(channel, entry);
      }
      entry.listeners.add(listener);
      const watched = entry;
      return {
        ready: watched.ready,
        stop() {
          watched.listeners.delete(listener);
          if (watched.listeners.size === 0 && channels.get(channel) === watched) {
            channels.delete(channel);
            connection.unsubscribe(channel).catch(() => undefined);
          }
        },
      };
    },
    async close() {
      subscriber?.disconnect();
    },
  };
}
