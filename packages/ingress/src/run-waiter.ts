// Waits, for callers of sync webhooks, until a run has an answer: one Redis subscriber per process, one
// channel per waiting run. Events are only nudges; the answer itself is read from Postgres.
import { type RunEvent, runEventsChannel } from "@tributary/core";
import type { Redis } from "ioredis";

export type RunWatch = {
  /** Subscribed: from now on no event of the run can be missed. */
  ready: Promise<void>;
  /** Resolves when the run answered (a respond step) or ended. */
  answered: Promise<void>;
  stop(): void;
};

export type RunWaiter = { watch(runId: string): RunWatch; close(): Promise<void> };

export function createRunWaiter({ subscriber, prefix }: { subscriber: Redis; prefix: string }): RunWaiter {
  const listeners = new Map<string, Set<(event: RunEvent) => void>>();
  subscriber.on("message", (channel: string, text: string) => {
    const set = listeners.get(channel);
    if (!set) return;
    try {
      const event = JSON.parse(text) as RunEvent;
      for (const listener of set) listener(event);
    } catch {
      // Not one of ours.
    }
  });
  return {
    watch(runId) {
      const channel = runEventsChannel({ prefix, runId });
      let set = listeners.get(channel);
      const first = !set;
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      const group = set;
      let listener: (event: RunEvent) => void = () => {};
      const answered = new Promise<void>((resolve) => {
        listener = (event) => {
          if (event.type === "response" || (event.type === "run" && event.status !== "waiting")) resolve();
        };
        group.add(listener);
      });
      return {
        ready: first
          ? subscriber.subscribe(channel).then(
              () => undefined,
              () => undefined,
            )
          : Promise.resolve(),
        answered,
        stop() {
          group.delete(listener);
          if (group.size === 0) {
            listeners.delete(channel);
            void subscriber.unsubscribe(channel).catch(() => undefined);
          }
        },
      };
    },
    async close() {
      subscriber.disconnect();
    },
  };
}
