// Without APP_URL the app's links and redirects use the host the user is on: signing out from
// http://127.0.0.1:<port> lands on http://127.0.0.1:<port>/login (not localhost), and an invite made there
// links there. Over HTTP against the real web process, the way next-auth's client and the UI call it.
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace, TEST_PASSWORD } from "../factories/seed.ts";
import { type RunningApp, startApp } from "../support/app-process.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { type CookieJar, cookieHeader, keepCookies, signInOverHttp } from "../support/http-sign-in.ts";

const env = useTestEnvironment();
let app: RunningApp;
let seeded: SeededWorkspace;

beforeAll(async () => {
  app = await startApp({
    databaseUrl: env.databaseUrl,
    logDir: join(resolve(import.meta.dirname, "../.."), "test-results/public-origin-logs"),
    env: { APP_URL: undefined },
    worker: false,
  });
  seeded = await seedWorkspace({ db: env.db });
}, 180_000);
afterAll(async () => {
  await app?.stop();
});

/** The app's address under another name for the same loopback host. */
const at = (host: "127.0.0.1" | "localhost") => app.baseUrl.replace("localhost", host);

async function signedIn(baseUrl: string): Promise<CookieJar> {
  const jar: CookieJar = new Map();
  const answer = await signInOverHttp({ baseUrl, email: seeded.owner.email, password: TEST_PASSWORD, jar });
  expect(answer.signedIn, answer.body).toBe(true);
  return jar;
}

describe("links and redirects without APP_URL", () => {
  it("signs out from 127.0.0.1 to 127.0.0.1's sign-in page", async () => {
    const baseUrl = at("127.0.0.1");
    const jar = await signedIn(baseUrl);
    const csrf = await fetch(`${baseUrl}/api/auth/csrf`, { headers: { cookie: cookieHeader(jar) } });
    keepCookies(jar, csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    // What next-auth/react's signOut({ callbackUrl: "/login" }) sends; the browser then goes to `url`.
    const signOut = await fetch(`${baseUrl}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
      body: new URLSearchParams({ csrfToken, callbackUrl: "/login", json: "true" }),
    });
    expect(signOut.status).toBe(200);
    expect(((await signOut.json()) as { url: string }).url).toBe(`${baseUrl}/login`);
  });

  it("links an invite to the host it was made on", async () => {
    for (const host of ["127.0.0.1", "localhost"] as const) {
      const baseUrl = at(host);
      const jar = await signedIn(baseUrl);
      const response = await fetch(`${baseUrl}/api/trpc/members.invite`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: cookieHeader(jar) },
        body: JSON.stringify({
          json: { workspaceId: seeded.workspace.id, email: `invitee-${host}@example.com`, role: "editor" },
        }),
      });
      const body = (await response.json()) as { result: { data: { json: { link: string } } } };
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(body.result.data.json.link).toMatch(new RegExp(`^${baseUrl.replaceAll(".", "\\.")}/invite/[^/]+$`));
    }
  });

  it("does not believe forwarded host and scheme from a caller when no proxy is trusted", async () => {
    const baseUrl = at("127.0.0.1");
    const jar = await signedIn(baseUrl);
    const response = await fetch(`${baseUrl}/api/trpc/members.invite`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        cookie: cookieHeader(jar),
        "x-forwarded-host": "attacker.example",
        "x-forwarded-proto": "https",
      },
      body: JSON.stringify({
        json: { workspaceId: seeded.workspace.id, email: "invitee-forged@example.com", role: "editor" },
      }),
    });
    const body = (await response.json()) as { result: { data: { json: { link: string } } } };
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.result.data.json.link.startsWith(`${baseUrl}/invite/`)).toBe(true);
  });
});
