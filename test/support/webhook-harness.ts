// The webhook ingress in-process, on the test's database and Redis prefix, with a real worker behind it.
import { createHmac } from "node:crypto";
import { createRunEventHub, createRunIntake, createSecretBox, type FinishedRun } from "@tributary/core";
import { createWebhookHandler, type WebhookHandler } from "@tributary/ingress";
import type { JobQueue } from "@tributary/queue";
import { createAlertHook, createInlineRuns } from "@tributary/runner";
import { Redis } from "ioredis";
import type { TestEnvironment } from "./environment.ts";
import { TEST_REDIS_URL } from "./services.ts";
import { TEST_ENCRYPTION_KEY } from "./worker-process.ts";

export type Call = { method?: string; headers?: Record<string, string>; body?: string | Uint8Array; ip?: string };

/** By default on the shared test Redis; a test of Redis outages passes its own server's clients. */
export function webhookHarness(
  env: TestEnvironment,
  {
    redisUrl = TEST_REDIS_URL,
    redis = env.redis,
    queue = env.queue,
    onInlineRun,
  }: {
    redisUrl?: string;
    redis?: Redis;
    queue?: JobQueue;
    /** Told of each run the ingress ran as it took its call in (the web process counts them in its metrics). */
    onInlineRun?: (run: FinishedRun) => void;
  } = {},
) {
  const publisher = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  publisher.on("error", () => {});
  const events = createRunEventHub({ redis: publisher, url: redisUrl, keyPrefix: env.redisPrefix });
  const secretBox = createSecretBox({ currentKey: TEST_ENCRYPTION_KEY });
  const handler: WebhookHandler = createWebhookHandler({
    db: env.db,
    redis,
    queue,
    secretBox,
    intake: createRunIntake({ db: env.db, queue }),
    inline: createInlineRuns({
      db: env.db,
      secretBox,
      alerts: createAlertHook({ db: env.db, queue, log: console }),
      ...(onInlineRun ? { onRunEnded: onInlineRun } : {}),
    }),
    events,
    // Tests publish and call at once; production keeps routes for a second.
    cacheTtlMs: 0,
  });
  return {
    async call(path: string, { method = "POST", headers = {}, body, ip = "203.0.113.10" }: Call = {}) {
      const response = await handler(
        new Request(`http://localhost${path}`, {
          method,
          headers,
          ...(body !== undefined ? { body: body as BodyInit } : {}),
        }),
        { clientIp: ip },
      );
      const text = await response.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      return {
        status: response.status,
        headers: response.headers,
        text,
        json: json as Record<string, unknown> & { error?: { code: string; message: string } },
      };
    },
    /** A request as built by the caller (streamed bodies, odd methods), straight to the handler. */
    handle: (request: Request, ip = "203.0.113.10") => handler(request, { clientIp: ip }),
    close: async () => {
      await events.close();
      publisher.disconnect();
    },
  };
}

/** Standard Webhooks signature headers for a body. */
export function standardWebhookHeaders({
  secret,
  id,
  body,
  timestamp = Math.floor(Date.now() / 1000),
}: {
  secret: string;
  id: string;
  body: string;
  timestamp?: number;
}) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": `v1,${signature}` };
}
