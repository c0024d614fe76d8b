// The web app's configuration, read from the environment once, here and nowhere else.
import { z } from "zod";

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().positive().default(3000),
  DATABASE_URL: z.string().url().default("postgresql://postgres@127.0.0.1:5432/tributary"),
  REDIS_URL: z.string().url().default("redis://127.0.0.1:6379"),
  /** Prefix for every Redis key, so several installations (or test runs) can share one Redis. */
  REDIS_PREFIX: z.string().default("tributary:"),
  /** Signs session tokens; `npm start` generates one into .env on first run. */
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters; `npm start` generates one."),
  /** Seals secrets at rest: 32 random bytes, base64 (`npm start` generates one). */
  ENCRYPTION_KEY: z.string().min(1, "ENCRYPTION_KEY is required: 32 random bytes, base64 (`npm start` generates one)."),
  /** Retired keys, comma-separated, still needed to open secrets sealed before a key rotation. */
  ENCRYPTION_PREVIOUS_KEYS: z.string().default(""),
  /** The public URL of the app, used in invite links and webhook URLs. */
  APP_URL: z.string().url().optional(),
  /** The sample API demo flows call (default: this app's /api/demo); the worker allows demos only this host. */
  DEMO_API_URL: z.string().url().optional(),
  SMTP_URL: z.string().url().optional(),
  SMTP_FROM: z.string().default("Tributary <noreply@localhost>"),
  /** "off" takes addresses as typed; on by default when SMTP_URL is set (without mail nobody could verify). */
  EMAIL_VERIFICATION: z.enum(["on", "off"]).optional(),
  /** How many reverse proxies in front of the app append to X-Forwarded-For (0: use the socket address). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).default(0),
});

export type Env = z.output<typeof schema>;

type Loaded = Env & { appUrl: string; demoApiUrl: string };

let loaded: Loaded | undefined;

/** Read on first use rather than at import, so `next build` needs no secrets. */
export function getEnv(): Loaded {
  if (loaded) return loaded;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  const appUrl = parsed.data.APP_URL ?? `http://localhost:${parsed.data.PORT}`;
  // next-auth reads its own variables.
  process.env.NEXTAUTH_URL ??= appUrl;
  process.env.NEXTAUTH_SECRET ??= parsed.data.AUTH_SECRET;
  loaded = { ...parsed.data, appUrl, demoApiUrl: parsed.data.DEMO_API_URL ?? `${appUrl}/api/demo` };
  return loaded;
}
