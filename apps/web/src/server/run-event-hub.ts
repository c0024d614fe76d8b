// One Redis subscription per web process for the run events browsers watch; each watcher gets the events of
// its run. Events are nudges (read the run again), so a missed one only delays the picture.
import { type RunEvent, runEventsChannel } from "@tributary/core";
import { Redis } from "ioredis";
import { getEnv } from "../env.ts";

type Listener = (event: RunEvent) => void;

const globalForHub = globalThis as unknown as { tributaryRunEvents?: ReturnType<typeof createHub> };

function createHub() {
  const env = getEnv();
  const subscriber = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  subscriber.on("error", () => {});
  const listeners = new Map<string, Set<Listener>>();
  subscriber.on("message", (channel: string, message: string) => {
    const event = JSON.parse(message) as RunEvent;
    for (const listener of listeners.get(channel) ?? []) listener(event);
  });
  return {
    watch(runId: string, listener: Listener): () => void {
      const channel = runEventsChannel({ prefix: env.REDIS_PREFIX, runId });
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        void subscriber.subscribe(channel).catch(() => undefined);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) {
          listeners.delete(channel);
          void subscriber.unsubscribe(channel).catch(() => undefined);
        }
      };
    },
  };
}

export function runEventHub() {
  globalForHub.tributaryRunEvents ??= createHub();
  return globalForHub.tributaryRunEvents;
}
