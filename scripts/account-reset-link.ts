// `npm run account:reset-link -- person@example.com`: prints a password reset link for an installation
// without mail (or a person whose mail does not arrive). Hand it to the person over a channel you trust: it
// sets the account's password, once, within an hour, and signs every session out, like a mailed one.
import { createDb, emailSchema, issuePasswordResetLink } from "@tributary/core";
import { Redis } from "ioredis";
import { getEnv } from "../apps/web/src/env.ts";
import { loadDotEnv } from "./lib/dotenv.ts";

loadDotEnv();
const env = getEnv();
const email = emailSchema.safeParse(process.argv[2] ?? "");
if (!email.success) {
  console.error("Usage: npm run account:reset-link -- person@example.com");
  process.exit(2);
}
const db = createDb({ url: env.DATABASE_URL, maxConnections: 1 });
const redis = new Redis(env.REDIS_URL, { keyPrefix: env.REDIS_PREFIX });
try {
  const link = await issuePasswordResetLink({ db, redis, appUrl: env.appUrl, email: email.data });
  if (!link) {
    console.error(`No account uses ${email.data}.`);
    process.exitCode = 1;
  } else {
    console.log(link);
  }
} finally {
  await db.$disconnect();
  redis.disconnect();
}
