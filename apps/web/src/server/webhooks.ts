// The webhook ingress of this web process, made once: the same handler serves Next's /hooks route and the
// fast path in server.ts.
import { createRunWaiter, createWebhookHandler, type WebhookHandler } from "@tributary/ingress";
import { Redis } from "ioredis";
import { getEnv } from "../env.ts";
import { deps } from "./deps.ts";

const globalForHooks = globalThis as unknown as { tributaryWebhooks?: WebhookHandler };

export function webhookHandler(): WebhookHandler {
  if (globalForHooks.tributaryWebhooks) return globalForHooks.tributaryWebhooks;
  const env = getEnv();
  const subscriber = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  subscriber.on("error", () => {});
  const { db, redis, queue, secretBox } = deps();
  globalForHooks.tributaryWebhooks = createWebhookHandler({
    db,
    redis,
    queue,
    secretBox,
    waiter: createRunWaiter({ subscriber, prefix: env.REDIS_PREFIX }),
  });
  return globalForHooks.tributaryWebhooks;
}
