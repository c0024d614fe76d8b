// "Wait for this run's answer", for listener triggers whose callers wait (an MLLP sender for its ACK): the one
// place that knows how. It listens to the run's events (one Redis subscriber per worker, one channel per
// waiting run) and reads the answer Postgres keeps once an event says there is one; the read after
// subscribing also catches a run that answered before we listened.
import type { RunAnswer } from "@tributary/connectors";
import { type Db, type RunEvent, runEventsChannel, runOutcome } from "@tributary/core";
import type { Redis } from "ioredis";

export function createRunAnswers({ redis, prefix, db }: { redis: Redis; prefix: string; db: Db }) {
  let subscriber: Redis | null = null;
  const listeners = new Map<string, Set<(event: RunEvent) => void>>();

  function connect(): Redis {
    if (subscriber) return subscriber;
    const created = redis.duplicate();
    created.on("error", () => undefined);
    created.on("message", (channel: string, text: string) => {
      for (const listener of listeners.get(channel) ?? []) {
        try {
          listener(JSON.parse(text) as RunEvent);
        } catch {
          // Not one of ours.
        }
      }
    });
    subscriber = created;
    return created;
  }

  async function read(workspaceId: string, runId: string): Promise<RunAnswer> {
    const outcome = await runOutcome({ db, workspaceId, runId });
    if (outcome?.response)
      return { status: "answered", httpStatus: outcome.response.status, body: outcome.response.body };
    if (outcome?.status === "succeeded") return { status: "succeeded", body: outcome.output?.body ?? null };
    if (outcome?.status === "failed" || outcome?.status === "cancelled") {
      return { status: "failed", error: outcome.error?.message ?? `The run was ${outcome.status}.` };
    }
    return { status: "pending" };
  }

  return {
    async awaitAnswer({
      workspaceId,
      runId,
      timeoutMs,
    }: {
      workspaceId: string;
      runId: string;
      timeoutMs: number;
    }): Promise<RunAnswer> {
      const channel = runEventsChannel({ prefix, runId });
      const client = connect();
      let nudge: () => void = () => undefined;
      const listener = (event: RunEvent) => {
        if (event.type === "response" || (event.type === "run" && event.status !== "waiting")) nudge();
      };
      let group = listeners.get(channel);
      if (!group) {
        group = new Set();
        listeners.set(channel, group);
        await client.subscribe(channel);
      }
      group.add(listener);
      const deadline = Date.now() + timeoutMs;
      try {
        for (;;) {
          const answered = new Promise<void>((resolve) => {
            nudge = resolve;
          });
          const answer = await read(workspaceId, runId);
          const left = deadline - Date.now();
          if (answer.status !== "pending" || left <= 0) return answer;
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([answered, new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
          clearTimeout(timer);
        }
      } finally {
        group.delete(listener);
        if (group.size === 0) {
          listeners.delete(channel);
          await client.unsubscribe(channel).catch(() => undefined);
        }
      }
    },
    close() {
      subscriber?.disconnect();
    },
  };
}
