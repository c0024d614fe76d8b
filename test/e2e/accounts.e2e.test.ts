// Account self-service done as a person would, against an app of its own that mails through a real SMTP
// server: verifying the address from the sign-up's mail; forgetting a password and setting a new one from the
// mailed link; the reset form telling nobody whether an address has an account; changing the address;
// exporting the workspace; deleting the account.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startApp } from "../support/app-process.ts";
import { launchBrowser, screenshot } from "../support/browser.ts";
import { createTestDatabase, ensureTemplateDatabase, type TestDatabase } from "../support/database.ts";
import { linkIn, mailTo, type TestSmtp, textOf, waitForMail } from "../support/mailbox.ts";
import { deleteKeysWithPrefix } from "../support/redis.ts";
import { startSmtpServer } from "../support/smtp.ts";

const run = Date.now().toString(36);
const person = { email: `ada-${run}@example.com`, password: "maple harbour velvet compass" };
const NEW_PASSWORD = "copper meadow lantern quince";

let smtp: TestSmtp;
let database: TestDatabase;
let app: RunningApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  smtp = await startSmtpServer();
  database = await createTestDatabase({ template: await ensureTemplateDatabase() });
  app = await startApp({
    databaseUrl: database.url,
    logDir: join(resolve(import.meta.dirname, "../.."), "test-results/e2e-logs/accounts"),
    env: { SMTP_URL: smtp.url, SMTP_FROM: "Tributary <noreply@example.com>" },
    worker: false,
  });
  browser = await launchBrowser();
  context = await browser.newContext({ baseURL: app.baseUrl, viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await database?.drop();
  if (app) await deleteKeysWithPrefix(app.redisPrefix);
  await smtp?.close();
});

async function signIn(target: Page, password: string) {
  await target.goto("/login", { waitUntil: "networkidle" });
  await target.getByLabel("Email", { exact: true }).fill(person.email);
  await target.getByLabel("Password", { exact: true }).fill(password);
  await target.getByRole("button", { name: "Sign in", exact: true }).click();
}

describe("accounts in the browser", () => {
  it("signs up", async () => {
    await page.goto("/signup");
    await page.getByLabel("Email", { exact: true }).fill(person.email);
    await page.getByLabel("Password", { exact: true }).fill(person.password);
    await page.getByRole("button", { name: "Create account", exact: true }).click();
    await page.waitForURL(/\/w\/ada-/);
  });

  it("verifies the address from the mailed link", async () => {
    await page.getByText(`open the link we mailed to ${person.email}`).waitFor();
    await screenshot(page, "accounts-00-verify-banner");
    const mail = await waitForMail(smtp, person.email, 1);
    expect(textOf(mail)).toContain(`Confirm that ${person.email} is your address`);
    await page.goto(linkIn(mail, "/verify-email?token="));
    await page.getByRole("button", { name: "Verify email address", exact: true }).click();
    await page.getByText(`${person.email} is verified`).waitFor();
    await page.getByRole("link", { name: "Continue to Tributary", exact: true }).click();
    await page.waitForURL(/\/w\/ada-/);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await expect(page.getByText("open the link we mailed to").count()).resolves.toBe(0);
  });

  it("resets a forgotten password from the mailed link, which signs the old session out", async () => {
    const stranger = await browser.newContext({ baseURL: app.baseUrl });
    const resetPage = await stranger.newPage();
    await resetPage.goto("/login");
    await resetPage.getByRole("link", { name: "Forgot password?", exact: true }).click();
    await resetPage.waitForURL(/\/forgot-password/);
    // Typed before React hydrates, the value would be reset.
    await resetPage.waitForLoadState("networkidle");
    await resetPage.getByLabel("Email", { exact: true }).fill(person.email);
    const mailsBefore = mailTo(smtp, person.email).length;
    await screenshot(resetPage, "accounts-01-forgot-password");
    const answered = resetPage.waitForResponse(/requestPasswordReset/);
    await resetPage.getByRole("button", { name: "Send reset link", exact: true }).click();
    const answer = await answered;
    expect(answer.status(), await answer.text()).toBe(200);
    await resetPage.getByText(`If an account uses ${person.email}`).waitFor();
    await screenshot(resetPage, "accounts-02-reset-requested");

    const mail = await waitForMail(smtp, person.email, mailsBefore + 1);
    const link = linkIn(mail, "/reset-password?token=");
    await resetPage.goto(link);
    await resetPage.getByLabel("New password", { exact: true }).fill("password1234");
    await resetPage.getByRole("button", { name: "Set new password", exact: true }).click();
    await resetPage.getByRole("alert").waitFor();
    await resetPage.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await screenshot(resetPage, "accounts-03-new-password");
    await resetPage.getByRole("button", { name: "Set new password", exact: true }).click();
    await resetPage.waitForURL(/\/login\?notice=password-reset/);
    await resetPage.getByText("Your password was reset").waitFor();

    // The link worked once.
    await resetPage.goto(link);
    await resetPage.getByText("This reset link is not valid any more").waitFor();
    await stranger.close();

    // The session signed in before the reset is over.
    await page.goto("/workspaces");
    await page.waitForURL(/\/login/);
    await signIn(page, person.password);
    await page.getByText("Email or password is incorrect.", { exact: true }).waitFor();
    await signIn(page, NEW_PASSWORD);
    await page.waitForURL(/\/w(orkspaces)?\//);
  });

  it("answers a reset request the same, in similar time, for known and unknown addresses", async () => {
    const ask = async (email: string) => {
      const started = performance.now();
      const response = await fetch(`${app.baseUrl}/api/trpc/auth.requestPasswordReset`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ json: { email } }),
      });
      return { status: response.status, body: await response.text(), ms: performance.now() - started };
    };
    const other = { email: `grace-${run}@example.com`, password: "quiet orchard copper kettle" };
    const signedUp = await fetch(`${app.baseUrl}/api/trpc/auth.signUp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: other }),
    });
    expect(signedUp.status).toBe(200);
    const known: Awaited<ReturnType<typeof ask>>[] = [];
    const unknown: Awaited<ReturnType<typeof ask>>[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await ask(`  ${other.email.toUpperCase()} `));
      unknown.push(await ask(`nobody-${run}@example.com`));
    }
    for (const answer of [...known, ...unknown]) {
      expect(answer.status).toBe(200);
      expect(answer.body).toBe(known[0]?.body);
    }
    // The fastest of each: a busy machine only ever adds time, so the fastest answers show the work itself.
    const fastest = (answers: { ms: number }[]) => Math.min(...answers.map((a) => a.ms));
    expect(Math.abs(fastest(known) - fastest(unknown))).toBeLessThan(100);
    expect(mailTo(smtp, `nobody-${run}@example.com`)).toHaveLength(0);
  });

  it("changes the address once the link mailed to the new one is opened", async () => {
    const newEmail = `ada-new-${run}@example.com`;
    await page.goto("/account", { waitUntil: "networkidle" });
    await page.getByLabel("New email address", { exact: true }).fill(newEmail);
    await page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
    const answered = page.waitForResponse(/changeEmail/);
    await page.getByRole("button", { name: "Change email address", exact: true }).click();
    const answer = await answered;
    expect(answer.status(), await answer.text()).toBe(200);
    await page.getByText(`We sent a link to ${newEmail}`).waitFor();
    await screenshot(page, "accounts-04-change-email");
    const mail = await waitForMail(smtp, newEmail, 1);
    await page.goto(linkIn(mail, "/verify-email?token="));
    await page.getByRole("button", { name: "Verify email address", exact: true }).click();
    await page.getByText(`${newEmail} is verified`).waitFor();
    await page.goto("/account");
    await page.getByText(`Signed in as ${newEmail}`, { exact: true }).waitFor();
    person.email = newEmail;
  });

  it("exports the workspace as an archive, with progress", async () => {
    await page.goto("/workspaces");
    await page.waitForURL(/\/w\/ada-/);
    const slug = new URL(page.url()).pathname.split("/")[2] ?? "";
    await page.goto(`/w/${slug}/settings`, { waitUntil: "networkidle" });
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export workspace", exact: true }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${slug}-\\d{4}-\\d{2}-\\d{2}\\.zip$`));
    const archive = unzipSync(new Uint8Array(await readFile((await download.path()) ?? "")));
    expect(Object.keys(archive).sort()).toEqual([
      "audit-log.ndjson",
      "flows.json",
      "manifest.json",
      "members.json",
      "runs.ndjson",
    ]);
    const read = (name: string) => strFromU8(archive[name] ?? new Uint8Array());
    expect(JSON.parse(read("manifest.json"))).toMatchObject({ format: "tributary-workspace-export", version: 1 });
    expect(JSON.parse(read("members.json"))).toEqual([expect.objectContaining({ email: person.email, role: "owner" })]);
    expect(read("audit-log.ndjson")).toContain('"action":"workspace.created"');
    await page.getByText("Export finished").waitFor();
    await screenshot(page, "accounts-05-export");
  });

  it("deletes the account and the workspace it owned alone, after confirmation", async () => {
    await page.goto("/account", { waitUntil: "networkidle" });
    await page.getByLabel("Your password", { exact: true }).fill(NEW_PASSWORD);
    const remove = page.getByRole("button", { name: "Delete my account", exact: true });
    await expect(remove.isDisabled()).resolves.toBe(true);
    await page.getByLabel(/Also delete the workspace I am alone in/).check();
    await screenshot(page, "accounts-06-delete-account");
    await remove.click();
    await page.waitForURL(/\/login\?notice=account-deleted/);
    await page.getByText("Your account was deleted").waitFor();
    await signIn(page, NEW_PASSWORD);
    await page.getByText("Email or password is incorrect.", { exact: true }).waitFor();
  });
});
