// The web app's configuration, read from the environment once, here and nowhere else.
import { operatorAllowedHostsSetting } from "@tributary/core";
import { z } from "zod";

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().positive().default(3000),
    DATABASE_URL: z.string().url().default("postgresql://postgres@127.0.0.1:5432/tributary"),
    REDIS_URL: z.string().url().default("redis://127.0.0.1:6379"),
    /** Prefix for every Redis key, so several installations (or test runs) can share one Redis. */
    REDIS_PREFIX: z.string().default("tributary:"),
    /** Signs session tokens; `npm start` generates one into .env on first run. */
    AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters; `npm start` generates one."),
    /** Seals secrets at rest: 32 random bytes, base64 (`npm start` generates one). */
    ENCRYPTION_KEY: z
      .string()
      .min(1, "ENCRYPTION_KEY is required: 32 random bytes, base64 (`npm start` generates one)."),
    /** Retired keys, comma-separated, still needed to open secrets sealed before a key rotation. */
    ENCRYPTION_PREVIOUS_KEYS: z.string().default(""),
    /** The public URL of the app, for invite links and redirects; unset, they use the host each request came to. */
    APP_URL: z.string().url().optional(),
    /** The sample API demo flows call (default: this app's /api/demo); the worker allows demos only this host. */
    DEMO_API_URL: z.string().url().optional(),
    SMTP_URL: z.string().url().optional(),
    SMTP_FROM: z.string().default("Tributary <noreply@localhost>"),
    /** "off" takes addresses as typed; on by default when SMTP_URL is set (without mail nobody could verify). */
    EMAIL_VERIFICATION: z.enum(["on", "off"]).optional(),
    /** Accounts one IP address may create an hour (raise it when many people sign up from behind one NAT). */
    SIGN_UPS_PER_IP_HOUR: z.coerce.number().int().min(1).default(20),
    /** How many reverse proxies in front of the app append to X-Forwarded-For (0: use the socket address). */
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).default(0),
    /** Hosts, IPs and CIDR ranges every (non-demo) workspace may reach even when private; the worker reads it too. */
    OUTBOUND_ALLOWED_HOSTS: operatorAllowedHostsSetting,
    /** Serves Prometheus metrics at /metrics to callers with this bearer token; unset, /metrics is not there. */
    METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN must be at least 16 characters.").optional(),
  })
  .refine((env) => !env.SMTP_URL || env.APP_URL, {
    path: ["APP_URL"],
    // Without it, a mailed link would be made from the host a request names, which anyone can forge: a password
    // reset requested with another Host header would mail the victim a link to the forger's site.
    message:
      "APP_URL is required when SMTP_URL is set: mailed links (invitations, password resets, address checks) must point at the address people reach Tributary at.",
  });

export type Env = z.output<typeof schema>;

type Loaded = Env & { appUrl: string; demoApiUrl: string };

let loaded: Loaded | undefined;

/** The configuration in `source`, or an error listing every problem. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  return parsed.data;
}

/** Read on first use rather than at import, so `next build` needs no secrets. */
export function getEnv(): Loaded {
  if (loaded) return loaded;
  const parsed = { data: parseEnv(process.env) };
  const appUrl = parsed.data.APP_URL ?? `http://localhost:${parsed.data.PORT}`;
  // next-auth reads its own variables. Without APP_URL it takes its redirects' origin from each request's host.
  if (parsed.data.APP_URL) process.env.NEXTAUTH_URL ??= parsed.data.APP_URL;
  else process.env.AUTH_TRUST_HOST ??= "true";
  process.env.NEXTAUTH_SECRET ??= parsed.data.AUTH_SECRET;
  loaded = { ...parsed.data, appUrl, demoApiUrl: parsed.data.DEMO_API_URL ?? `${appUrl}/api/demo` };
  return loaded;
}
