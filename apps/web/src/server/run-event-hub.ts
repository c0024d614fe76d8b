// The web process's one hub of run events: browsers watch runs through it (server-sent events) and sync
// webhook callers wait on it for their answer.
import { createRunEventHub, FAIL_FAST_REDIS, type RunEventHub } from "@tributary/core";
import { Redis } from "ioredis";
import { getEnv } from "../env.ts";

const globalForHub = globalThis as unknown as { tributaryRunEvents?: RunEventHub };

export function runEventHub(): RunEventHub {
  if (globalForHub.tributaryRunEvents) return globalForHub.tributaryRunEvents;
  const env = getEnv();
  const publisher = new Redis(env.REDIS_URL, FAIL_FAST_REDIS);
  publisher.on("error", () => {});
  globalForHub.tributaryRunEvents = createRunEventHub({
    redis: publisher,
    url: env.REDIS_URL,
    keyPrefix: env.REDIS_PREFIX,
  });
  return globalForHub.tributaryRunEvents;
}
