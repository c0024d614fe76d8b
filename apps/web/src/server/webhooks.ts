// The webhook ingress of this web process, made once; the web server (web-server.ts) sends /hooks and
// /hooks-test to it before anything reaches Next.
import { createRunIntake } from "@tributary/core";
import { createWebhookHandler, type WebhookHandler } from "@tributary/ingress";
import { createAlertHook, createInlineRuns } from "@tributary/runner";
import { deps } from "./deps.ts";
import { runEventHub } from "./run-event-hub.ts";
import type { WebMetrics } from "./web-metrics.ts";

const globalForHooks = globalThis as unknown as { tributaryWebhooks?: WebhookHandler };

export function webhookHandler({ metrics }: { metrics?: WebMetrics | undefined } = {}): WebhookHandler {
  if (globalForHooks.tributaryWebhooks) return globalForHooks.tributaryWebhooks;
  const { db, redis, queue, secretBox } = deps();
  globalForHooks.tributaryWebhooks = createWebhookHandler({
    db,
    redis,
    queue,
    secretBox,
    intake: createRunIntake({ db, queue }),
    inline: createInlineRuns({
      db,
      secretBox,
      alerts: createAlertHook({ db, queue, log: console }),
      onRunEnded: (run) => metrics?.ranInline(run),
    }),
    events: runEventHub(),
  });
  return globalForHooks.tributaryWebhooks;
}
