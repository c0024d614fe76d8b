// Email verification against a real SMTP server: sign-up mails a link; until it is opened the account works
// in its own workspace but cannot accept invitations (unless the invitation's link came only by mail) nor
// create API keys; re-sending is limited; a new address takes effect only once its link is opened; with
// verification off nothing is asked.
import { createMailer, VERIFICATION_MAILS_PER_HOUR } from "@tributary/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedUser, seedWorkspace, TEST_PASSWORD } from "../factories/seed.ts";
import { callerFor, outcome } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { linkIn, mailTo, type TestSmtp, waitForMail } from "../support/mailbox.ts";
import { startSmtpServer } from "../support/smtp.ts";

const env = useTestEnvironment();
const PASSWORD = "harbour lantern quince meadow";
let smtp: TestSmtp;
let counter = 0;
const freshEmail = () => `verify-${++counter}-${Date.now()}@example.com`;

beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp?.close();
});

const mailer = () => createMailer({ smtpUrl: smtp.url, from: "Tributary <noreply@test>" });
const as = (user: Parameters<typeof callerFor>[0]["user"], emailVerification = true) =>
  callerFor({ env, user, mailer: mailer(), emailVerification, ip: `198.51.100.${++counter % 250}` });
const tokenOf = (link: string) => new URL(link).searchParams.get("token") ?? "";

async function signedUp(emailVerification = true) {
  const email = freshEmail();
  const { workspaceSlug } = await as(null, emailVerification).auth.signUp({ email, password: PASSWORD });
  const user = await env.db.user.findUniqueOrThrow({ where: { email }, select: { id: true, email: true } });
  const seeded = { ...user, actor: { userId: user.id, email, ip: "127.0.0.1" } };
  const workspace = (await as(seeded).workspaces.list()).find((mine) => mine.slug === workspaceSlug);
  if (!workspace) throw new Error("the sign-up's workspace is not listed");
  return { user: seeded, workspaceId: workspace.id };
}

describe("email verification", () => {
  it("mails a link at sign-up; until it is opened, no API keys; afterwards they work", async () => {
    const { user, workspaceId } = await signedUp();
    const mail = await waitForMail(smtp, user.email);
    expect(mail.raw).toContain("text/html");
    const caller = as(user);
    await expect(caller.account.emailStatus()).resolves.toEqual({ required: true, verified: false, email: user.email });
    // Its own workspace works.
    await caller.flows.create({ workspaceId, name: "Mine" });
    await expect(caller.apiKeys.create({ workspaceId, name: "CI", role: "operator" })).rejects.toThrow(
      /Verify your email address to create API keys/,
    );
    await expect(as(null).auth.verifyEmail({ token: tokenOf(linkIn(mail, "/verify-email?token=")) })).resolves.toEqual({
      email: user.email,
    });
    await expect(caller.account.emailStatus()).resolves.toMatchObject({ verified: true });
    await expect(outcome(caller.apiKeys.create({ workspaceId, name: "CI", role: "operator" }))).resolves.toBe("OK");
    await expect(
      outcome(as(null).auth.verifyEmail({ token: tokenOf(linkIn(mail, "/verify-email?token=")) })),
    ).resolves.toBe("NOT_FOUND");
  });

  it("refuses a shown invitation link to an unverified account, and takes a mailed one as verification", async () => {
    const { user } = await signedUp();
    await waitForMail(smtp, user.email);
    const shown = await seedWorkspace({ db: env.db });
    const shownInvite = await callerFor({ env, user: shown.owner }).members.invite({
      workspaceId: shown.workspace.id,
      email: user.email,
      role: "editor",
    });
    const shownToken = (shownInvite.link ?? "").split("/invite/")[1] ?? "";
    await expect(as(user).invites.accept({ token: shownToken })).rejects.toThrow(
      /Verify your email address to accept invitations/,
    );

    const mailed = await seedWorkspace({ db: env.db });
    const mailedInvite = await callerFor({ env, user: mailed.owner, mailer: mailer() }).members.invite({
      workspaceId: mailed.workspace.id,
      email: user.email,
      role: "viewer",
    });
    expect(mailedInvite).toMatchObject({ emailed: true, link: null });
    const invitation = await waitForMail(smtp, user.email, 2);
    const token = linkIn(invitation, "/invite/").split("/invite/")[1] ?? "";
    await expect(as(user).invites.accept({ token })).resolves.toMatchObject({ role: "viewer" });
    await expect(as(user).account.emailStatus()).resolves.toMatchObject({ verified: true });
    await expect(outcome(as(user).invites.accept({ token: shownToken }))).resolves.toBe("OK");
  });

  it("re-sends a limited number of times, and only the newest link works", async () => {
    const { user } = await signedUp();
    const first = await waitForMail(smtp, user.email, 1);
    const results: string[] = [];
    // Sign-up's mail counts as the first.
    for (let i = 1; i <= VERIFICATION_MAILS_PER_HOUR; i++)
      results.push(await outcome(as(user).account.resendVerification()));
    expect(results).toEqual([...Array(VERIFICATION_MAILS_PER_HOUR - 1).fill("OK"), "TOO_MANY_REQUESTS"]);
    const newest = await waitForMail(smtp, user.email, VERIFICATION_MAILS_PER_HOUR);
    await expect(
      outcome(as(null).auth.verifyEmail({ token: tokenOf(linkIn(first, "/verify-email?token=")) })),
    ).resolves.toBe("NOT_FOUND");
    await expect(
      outcome(as(null).auth.verifyEmail({ token: tokenOf(linkIn(newest, "/verify-email?token=")) })),
    ).resolves.toBe("OK");
  });

  it("changes the address only once the new one's link is opened", async () => {
    const user = await seedUser({ db: env.db });
    const newEmail = freshEmail();
    await expect(
      outcome(as(user).account.changeEmail({ newEmail, currentPassword: "not the password" })),
    ).resolves.toBe("BAD_REQUEST");
    const taken = await seedUser({ db: env.db });
    await expect(
      outcome(as(user).account.changeEmail({ newEmail: taken.email, currentPassword: TEST_PASSWORD })),
    ).resolves.toBe("CONFLICT");
    await expect(as(user).account.changeEmail({ newEmail, currentPassword: TEST_PASSWORD })).resolves.toEqual({
      email: newEmail,
      pending: true,
    });
    await expect(as(user).account.emailStatus()).resolves.toMatchObject({ email: user.email, verified: true });
    expect(mailTo(smtp, user.email)).toHaveLength(0);
    const mail = await waitForMail(smtp, newEmail);
    await as(null).auth.verifyEmail({ token: tokenOf(linkIn(mail, "/verify-email?token=")) });
    await expect(as(user).account.emailStatus()).resolves.toMatchObject({ email: newEmail, verified: true });
  });

  it("asks nothing when the operator turned verification off", async () => {
    const { user, workspaceId } = await signedUp(false);
    await expect(as(user, false).account.emailStatus()).resolves.toMatchObject({ required: false, verified: true });
    await expect(outcome(as(user, false).apiKeys.create({ workspaceId, name: "CI", role: "operator" }))).resolves.toBe(
      "OK",
    );
    expect(mailTo(smtp, user.email)).toHaveLength(0);
    const newEmail = freshEmail();
    await expect(as(user, false).account.changeEmail({ newEmail, currentPassword: PASSWORD })).resolves.toEqual({
      email: newEmail,
      pending: false,
    });
  });
});
