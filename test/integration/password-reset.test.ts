// Password reset against a real SMTP server: the mailed link works once, for an hour, voids older links,
// signs every session out and is audited in each of the user's workspaces; asking tells nobody whether an
// account has the address; asking is limited per address and per network.
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { createMailer, currentUser, listAuditEvents, PASSWORD_RESET_LIMITS } from "@tributary/core";
import { scoped } from "@tributary/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import { callerFor, outcome } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { linkIn, mailTo, type TestSmtp, waitForMail } from "../support/mailbox.ts";
import { startSmtpServer } from "../support/smtp.ts";

const env = useTestEnvironment();
const NEW_PASSWORD = "harbour lantern quince meadow";
let smtp: TestSmtp;
let counter = 0;
const freshIp = () => `203.0.113.${++counter}`;

beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp?.close();
});

const anonymous = (ip = freshIp()) =>
  callerFor({ env, user: null, ip, mailer: createMailer({ smtpUrl: smtp.url, from: "Tributary <noreply@test>" }) });

async function resetLinkFor(email: string): Promise<string> {
  const before = mailTo(smtp, email).length;
  await anonymous().auth.requestPasswordReset({ email });
  const mail = await waitForMail(smtp, email, before + 1);
  return linkIn(mail, "/reset-password?token=");
}

const tokenOf = (link: string) => new URL(link).searchParams.get("token") ?? "";

describe("password reset", () => {
  it("mails a link in plain text and HTML that sets a new password, once, and signs every session out", async () => {
    const { owner, workspace } = await seedWorkspace({ db: env.db });
    const second = await seedWorkspace({ db: env.db });
    await scoped(env.db, { workspaceId: second.workspace.id }, (tx) =>
      tx.membership.create({ data: { workspaceId: second.workspace.id, userId: owner.id, role: "viewer" } }),
    );
    const link = await resetLinkFor(owner.email);
    const mail = mailTo(smtp, owner.email).at(-1)?.raw ?? "";
    expect(mail).toContain("Choose a new password");
    expect(mail).toContain("text/plain");
    expect(mail).toContain("text/html");
    expect(link.startsWith("http://localhost:3000/reset-password?token=")).toBe(true);

    const caller = anonymous();
    await expect(caller.auth.checkPasswordResetLink({ token: tokenOf(link) })).resolves.toEqual({ valid: true });
    // A weak password is refused without using the link up.
    await expect(outcome(caller.auth.resetPassword({ token: tokenOf(link), password: "password1234" }))).resolves.toBe(
      "BAD_REQUEST",
    );
    await caller.auth.resetPassword({ token: tokenOf(link), password: NEW_PASSWORD });
    await expect(outcome(caller.auth.resetPassword({ token: tokenOf(link), password: NEW_PASSWORD }))).resolves.toBe(
      "NOT_FOUND",
    );
    await expect(caller.auth.checkPasswordResetLink({ token: tokenOf(link) })).resolves.toEqual({ valid: false });

    const claims = { userId: owner.id, sessionVersion: 0, sessionId: "s-before", expiresAt: Date.now() + 60_000 };
    await expect(currentUser({ db: env.db, redis: env.redis, claims })).resolves.toBeNull();
    for (const workspaceId of [workspace.id, second.workspace.id]) {
      const { events } = await listAuditEvents({ db: env.db, workspaceId, limit: 10 });
      expect(events.map((event) => event.action)).toContain("user.password_reset");
    }
  });

  it("voids a link once the password was reset with a newer one", async () => {
    const { owner } = await seedWorkspace({ db: env.db });
    const older = await resetLinkFor(owner.email);
    const newer = await resetLinkFor(owner.email);
    await anonymous().auth.resetPassword({ token: tokenOf(newer), password: NEW_PASSWORD });
    await expect(
      outcome(anonymous().auth.resetPassword({ token: tokenOf(older), password: "another quiet harbour lamp" })),
    ).resolves.toBe("NOT_FOUND");
  });

  it("refuses tokens that are not ours", async () => {
    await expect(
      outcome(anonymous().auth.resetPassword({ token: "x".repeat(43), password: NEW_PASSWORD })),
    ).resolves.toBe("NOT_FOUND");
    await expect(anonymous().auth.checkPasswordResetLink({ token: "../../etc" })).resolves.toEqual({ valid: false });
  });

  it("answers the same for an unknown address and mails nobody", async () => {
    const { owner } = await seedWorkspace({ db: env.db });
    const unknown = `nobody-${Date.now()}@example.com`;
    const known = await anonymous().auth.requestPasswordReset({ email: owner.email });
    const other = await anonymous().auth.requestPasswordReset({ email: unknown });
    expect(other).toEqual(known);
    await waitForMail(smtp, owner.email, 1);
    expect(mailTo(smtp, unknown)).toHaveLength(0);
  });

  it("limits requests per address and per network, the same for known and unknown addresses", async () => {
    const { owner } = await seedWorkspace({ db: env.db });
    for (const email of [owner.email, `ghost-${Date.now()}@example.com`]) {
      const results: string[] = [];
      for (let i = 0; i <= PASSWORD_RESET_LIMITS.address.max; i++) {
        results.push(await outcome(anonymous().auth.requestPasswordReset({ email })));
      }
      expect(results.at(-1)).toBe("TOO_MANY_REQUESTS");
      expect(results.slice(0, -1).every((result) => result === "OK")).toBe(true);
    }
    const ip = freshIp();
    const results: string[] = [];
    for (let i = 0; i <= PASSWORD_RESET_LIMITS.ip.max; i++) {
      results.push(
        await outcome(anonymous(ip).auth.requestPasswordReset({ email: `n${i}-${Date.now()}@example.com` })),
      );
    }
    expect(results.at(-1)).toBe("TOO_MANY_REQUESTS");
  });

  it("gives an operator a working link from the command line, and names an unknown address", async () => {
    const { owner } = await seedWorkspace({ db: env.db });
    const script = (email: string) =>
      promisify(execFile)(process.execPath, ["scripts/account-reset-link.ts", email], {
        cwd: resolve(import.meta.dirname, "../.."),
        env: {
          ...process.env,
          DATABASE_URL: env.databaseUrl,
          REDIS_PREFIX: env.redisPrefix,
          APP_URL: "https://tributary.example.com",
          AUTH_SECRET: "an-operator-secret-that-is-long-enough-0123",
          ENCRYPTION_KEY: "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0zMi1iISE=",
        },
      });
    const { stdout } = await script(owner.email);
    const link = stdout.trim();
    expect(link).toMatch(/^https:\/\/tributary\.example\.com\/reset-password\?token=[\w-]{43}$/);
    await anonymous().auth.resetPassword({ token: tokenOf(link), password: NEW_PASSWORD });
    const failed = await script(`nobody-${Date.now()}@example.com`).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/No account uses nobody-/);
  });
});
