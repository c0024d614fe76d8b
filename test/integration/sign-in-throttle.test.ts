// Sign-in throttling over HTTP, through next-auth, as an attacker and the owner see it: 20 failed sign-ins
// from 20 addresses do not lock the owner out of the browser they signed in with before (its device cookie),
// from any address; an account without one is refused only for a bounded window, with 429 and Retry-After.
// The app trusts one proxy hop here, so X-Forwarded-For stands in for the caller's address.
import { join, resolve } from "node:path";
import { DEVICE_COOKIE, SIGN_IN_LIMITS } from "@tributary/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedUser, TEST_PASSWORD } from "../factories/seed.ts";
import { type RunningApp, startApp } from "../support/app-process.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { type CookieJar, signInOverHttp } from "../support/http-sign-in.ts";

const env = useTestEnvironment();
let app: RunningApp;

beforeAll(async () => {
  app = await startApp({
    databaseUrl: env.databaseUrl,
    logDir: join(resolve(import.meta.dirname, "../.."), "test-results/sign-in-throttle-logs"),
    env: { TRUST_PROXY_HOPS: "1" },
    worker: false,
  });
}, 180_000);
afterAll(async () => {
  await app?.stop();
});

const attempt = (email: string, password: string, forwardedFor: string, jar: CookieJar = new Map()) =>
  signInOverHttp({ baseUrl: app.baseUrl, email, password, forwardedFor, jar });

async function distributedAttack(email: string) {
  for (let i = 0; i < SIGN_IN_LIMITS.account.max; i++) {
    const failed = await attempt(email, "not the password", `203.0.113.${i + 1}`);
    expect(failed.status).toBe(401);
  }
}

describe("sign-in throttling", () => {
  it("lets the owner in with their device cookie after 20 failures from 20 addresses", async () => {
    const owner = await seedUser({ db: env.db });
    const browser: CookieJar = new Map();
    const earlier = await attempt(owner.email, TEST_PASSWORD, "192.0.2.10", browser);
    expect(earlier.signedIn).toBe(true);
    expect(browser.get(DEVICE_COOKIE)).toBeTruthy();

    await distributedAttack(owner.email);

    // The same browser, from an address never seen before.
    const back = await attempt(
      owner.email,
      TEST_PASSWORD,
      "192.0.2.99",
      new Map([[DEVICE_COOKIE, browser.get(DEVICE_COOKIE) ?? ""]]),
    );
    expect(back.status, back.body).toBe(200);
    expect(back.signedIn).toBe(true);
  });

  it("refuses an account without a device cookie from a new address with 429 and a bounded Retry-After", async () => {
    const user = await seedUser({ db: env.db });
    await distributedAttack(user.email);
    const refused = await attempt(user.email, TEST_PASSWORD, "192.0.2.150");
    expect(refused.status).toBe(429);
    expect(refused.signedIn).toBe(false);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(SIGN_IN_LIMITS.account.windowSeconds);
    expect(JSON.parse(refused.body).error.message).toMatch(/Try again in \d+ minutes?/);
  });

  it("answers a blocked (account, address) pair with 429, while the owner elsewhere signs in", async () => {
    const user = await seedUser({ db: env.db });
    for (let i = 0; i < SIGN_IN_LIMITS.pair.max; i++) {
      expect((await attempt(user.email, "not the password", "198.51.100.66")).status).toBe(401);
    }
    const blocked = await attempt(user.email, TEST_PASSWORD, "198.51.100.66");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await attempt(user.email, TEST_PASSWORD, "198.51.100.67")).signedIn).toBe(true);
  });

  it("answers sign-ups over the hourly limit of an address with 429 and Retry-After", async () => {
    const signUp = (n: number) =>
      fetch(`${app.baseUrl}/api/trpc/auth.signUp`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.80" },
        // A weak password: refused, but counted all the same (the limit comes first).
        body: JSON.stringify({ json: { email: `farm-${n}@example.com`, password: "weak" } }),
      });
    for (let n = 0; n < 20; n++) expect((await signUp(n)).status).toBe(400);
    const limited = await signUp(20);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
