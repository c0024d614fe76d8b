// The worker's configuration, read from the environment once, here and nowhere else.
import { availableParallelism } from "node:os";
import { operatorAllowedHostsSetting } from "@tributary/core";
import { z } from "zod";

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z.string().url().default("postgresql://postgres@127.0.0.1:5432/tributary"),
    REDIS_URL: z.string().url().default("redis://127.0.0.1:6379"),
    REDIS_PREFIX: z.string().default("tributary:"),
    ENCRYPTION_KEY: z
      .string()
      .min(1, "ENCRYPTION_KEY is required: 32 random bytes, base64 (`npm start` generates one)."),
    /** Retired keys, comma-separated, still needed to read secrets sealed before a key rotation. */
    ENCRYPTION_PREVIOUS_KEYS: z.string().default(""),
    /** Runs one worker process executes at once. */
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(20),
    /** Sandbox processes for code steps; each runs one step at a time. */
    SANDBOX_PROCESSES: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
    /** How long a job's lock lives unrenewed; a dead worker's runs move to another worker after it. */
    WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
    /** Retry back-offs longer than this park the run in Postgres instead of holding a worker slot. */
    PARK_BACKOFFS_OVER_MS: z.coerce.number().int().min(0).default(5_000),
    SWEEP_EVERY_MS: z.coerce.number().int().min(1000).default(15_000),
    /** Runs queued (or due) longer than this without a job in Redis are enqueued again by the sweeper. */
    SWEEP_STALE_MS: z.coerce.number().int().min(100).default(30_000),
    RETENTION_EVERY_MS: z.coerce.number().int().min(60_000).default(3_600_000),
    /**
     * The web app's sample API, the only URLs demo workspaces may call (as the worker reaches it); by default the
     * web app's own, as the web app fills it into the sample flows ($APP_URL/api/demo).
     */
    DEMO_API_URL: z.string().url().optional(),
    APP_URL: z.string().url().optional(),
    /** Hosts, IPs and CIDR ranges every (non-demo) workspace may reach even when private (self-hosted networks). */
    OUTBOUND_ALLOWED_HOSTS: operatorAllowedHostsSetting,
    PORT: z.coerce.number().int().positive().default(3000),
    DEMO_CLEANUP_EVERY_MS: z.coerce.number().int().min(1000).default(600_000),
    /** How often subscription triggers (queue consumers) are brought in line with the active flows. */
    SUBSCRIPTION_SYNC_MS: z.coerce.number().int().min(100).default(5000),
    /** Ports listener triggers (HL7 MLLP) are given, one each, installation-wide: LOW-HIGH. */
    LISTENER_PORTS: z.string().default("2575-2599"),
    /** The address listener triggers bind to on each worker. */
    LISTENER_HOST: z.string().default("0.0.0.0"),
    /** Outgoing mail for email alerts (smtp://user:pass@host:port); without it, email alert rules cannot send. */
    SMTP_URL: z.string().url().optional(),
    SMTP_FROM: z.string().default("Tributary <noreply@localhost>"),
    /** How often queue backlogs are checked against the alert rules that watch them. */
    ALERT_BACKLOG_EVERY_MS: z.coerce.number().int().min(1000).default(60_000),
    /** The waits (ms, comma-separated) before each further try of an alert whose channel failed; empty: none. */
    ALERT_RETRY_DELAYS_MS: z
      .string()
      .default("30000,120000,600000")
      .transform((text) => text.split(",").filter(Boolean).map(Number))
      .pipe(z.array(z.number().int().min(100).max(86_400_000)).max(10)),
    /** Serves Prometheus metrics at /metrics (METRICS_PORT) to callers with this bearer token; unset, no listener. */
    METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN must be at least 16 characters.").optional(),
    METRICS_PORT: z.coerce.number().int().positive().default(9464),
    METRICS_HOST: z.string().default("0.0.0.0"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .transform(({ DEMO_API_URL, APP_URL, PORT, ...env }) => ({
    ...env,
    DEMO_API_URL: DEMO_API_URL ?? `${APP_URL ?? `http://localhost:${PORT}`}/api/demo`,
    /** Where people reach the web app, for the links in alerts. */
    appUrl: APP_URL ?? `http://localhost:${PORT}`,
  }));

export type WorkerEnv = z.output<typeof schema>;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new Error(`Invalid worker configuration:\n${problems}`);
  }
  return parsed.data;
}
