// The app's long-lived clients, made once per process (and kept across hot reloads in development).
import type { ApiDeps } from "@tributary/api";
import {
  createDb,
  createJobQueue,
  createMailer,
  createQueueConnection,
  createSecretBox,
  FAIL_FAST_REDIS,
} from "@tributary/core";
import { Redis } from "ioredis";
import { getEnv } from "../env.ts";

const globalForDeps = globalThis as unknown as { tributaryDeps?: ApiDeps };

export function deps(): ApiDeps {
  if (globalForDeps.tributaryDeps) return globalForDeps.tributaryDeps;
  const env = getEnv();
  // Fail fast: with Redis down a request answers 503 (or goes on without Redis) at once, instead of waiting
  // for reconnects. Connection errors surface on the commands that fail (and in /api/health); ioredis
  // reconnects by itself.
  const redis = new Redis(env.REDIS_URL, { ...FAIL_FAST_REDIS, keyPrefix: env.REDIS_PREFIX });
  redis.on("error", () => {});
  const created: ApiDeps = {
    db: createDb({ url: env.DATABASE_URL }),
    redis,
    queue: createJobQueue(createQueueConnection({ url: env.REDIS_URL, keyPrefix: env.REDIS_PREFIX, failFast: true })),
    secretBox: createSecretBox({
      currentKey: env.ENCRYPTION_KEY,
      previousKeys: env.ENCRYPTION_PREVIOUS_KEYS.split(",").filter(Boolean),
    }),
    mailer: env.SMTP_URL ? createMailer({ smtpUrl: env.SMTP_URL, from: env.SMTP_FROM }) : null,
    appUrl: env.appUrl,
    emailVerification: Boolean(env.SMTP_URL) && env.EMAIL_VERIFICATION !== "off",
    operatorAllowedHosts: env.OUTBOUND_ALLOWED_HOSTS,
    signUpsPerIpHour: env.SIGN_UPS_PER_IP_HOUR,
  };
  globalForDeps.tributaryDeps = created;
  return created;
}
