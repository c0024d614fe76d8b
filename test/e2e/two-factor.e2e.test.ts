// Two-factor sign-in in a real browser: set up on the account page by reading the secret off the page (as an
// authenticator app would from the QR code) and a code computed from it, require it for the workspace (a new
// member is sent to set it up and refused by the server until then), sign out, sign in with a code, then with a
// recovery code, and see the same recovery code refused the second time.
import { generate } from "otplib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, screenshot } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const run = Date.now().toString(36);
const person = { email: `totp-${run}@example.com`, password: "juniper anchor saffron glacier" };
const member = { email: `totp-member-${run}@example.com`, password: "cobalt thistle lantern harbour" };

let browser: Browser;
let page: Page;
let memberPage: Page;
let secret = "";
let recoveryCodes: string[] = [];
let workspaceUrl = "";

/** The code the app shows `periods` periods from now. */
const codeAt = (periods: number) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + periods * 30 });

async function signOut() {
  await page.goto(workspaceUrl);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.waitForURL(/\/login/);
}

/** Email and password, then the second factor the form asks for. */
async function signIn(code: string) {
  await page.getByLabel("Email", { exact: true }).fill(person.email);
  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByLabel("Authentication code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  const memberContext = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
  memberPage = await memberContext.newPage();
});
afterAll(async () => {
  await browser?.close();
});

describe("two-factor sign-in in the browser", () => {
  it("sets it up on the account page with a QR code and a first code, and shows ten recovery codes", async () => {
    await page.goto("/signup");
    await page.getByLabel("Email", { exact: true }).fill(person.email);
    await page.getByLabel("Password", { exact: true }).fill(person.password);
    await page.getByRole("button", { name: "Create account", exact: true }).click();
    await page.waitForURL(/\/w\/[^/]+$/);
    workspaceUrl = new URL(page.url()).pathname;

    await page.goto("/account");
    await page.getByRole("button", { name: "Set up two-factor sign-in", exact: true }).click();
    await page.getByRole("img", { name: "QR code for your authenticator app", exact: true }).waitFor();
    secret = ((await page.getByTestId("totp-secret").textContent()) ?? "").trim();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await screenshot(page, "two-factor-01-setup");
    await page.getByLabel("Code from the app", { exact: true }).fill("000000");
    await page.getByRole("button", { name: "Turn on two-factor sign-in", exact: true }).click();
    await page.getByText("That code is not correct").waitFor();
    await page.getByLabel("Code from the app", { exact: true }).fill(await codeAt(0));
    await page.getByRole("button", { name: "Turn on two-factor sign-in", exact: true }).click();
    const list = page.getByTestId("recovery-codes");
    await list.waitFor();
    recoveryCodes = (await list.getByRole("listitem").allTextContents()).map((code) => code.trim());
    expect(recoveryCodes).toHaveLength(10);
    await screenshot(page, "two-factor-02-recovery-codes");
    await page.getByRole("button", { name: "I have saved them", exact: true }).click();
    await page.getByText("10 recovery codes left").waitFor();
  });

  it("requires it for the workspace from its settings", async () => {
    await page.goto(`${workspaceUrl}/settings`);
    const required = page.getByLabel("Require two-factor sign-in", { exact: true });
    // The box shows the saved setting: it turns checked once the server has taken the change.
    // The settings page loads several cards at once: on a busy machine that takes longer than a poll's default second.
    await expect.poll(() => required.isEnabled(), { timeout: 30_000 }).toBe(true);
    await required.click();
    await expect.poll(() => required.isChecked(), { timeout: 30_000 }).toBe(true);
    await page.reload();
    await expect
      .poll(() => page.getByLabel("Require two-factor sign-in", { exact: true }).isChecked(), { timeout: 30_000 })
      .toBe(true);
  });

  it("sends a member without it to set it up; the server refuses them until they have", async () => {
    await page.goto(`${workspaceUrl}/members`);
    await page.getByLabel("Email", { exact: true }).fill(member.email);
    await page.getByLabel("Role", { exact: true }).selectOption("editor");
    await page.getByRole("button", { name: "Send invite", exact: true }).click();
    const link = page.getByLabel("Invite link", { exact: true });
    await link.waitFor();
    await memberPage.goto(await link.inputValue());
    await memberPage.getByRole("link", { name: "Create an account to accept", exact: true }).click();
    await memberPage.getByLabel("Password", { exact: true }).fill(member.password);
    await memberPage.getByRole("button", { name: "Create account", exact: true }).click();
    await memberPage.waitForURL(/\/account\?twoFactorFor=/);
    await memberPage.getByText(/requires two-factor sign-in/).waitFor();
    await screenshot(memberPage, "two-factor-03-required-by-workspace");

    const slug = workspaceUrl.split("/").pop() ?? "";
    const lookup = (slug: string) =>
      memberPage.evaluate(async (slug) => {
        const input = encodeURIComponent(JSON.stringify({ json: { slug } }));
        const response = await fetch(`/api/trpc/workspaces.bySlug?input=${input}`);
        return { status: response.status, body: await response.text() };
      }, slug);
    const refused = await lookup(slug);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain("requires two-factor sign-in");

    await memberPage.getByRole("button", { name: "Set up two-factor sign-in", exact: true }).click();
    const memberSecret = ((await memberPage.getByTestId("totp-secret").textContent()) ?? "").trim();
    await memberPage.getByLabel("Code from the app", { exact: true }).fill(await generate({ secret: memberSecret }));
    await memberPage.getByRole("button", { name: "Turn on two-factor sign-in", exact: true }).click();
    await memberPage.getByRole("button", { name: "I have saved them", exact: true }).click();
    expect((await lookup(slug)).status).toBe(200);
    await memberPage.goto(workspaceUrl);
    await memberPage.getByText("You are an editor of this workspace.", { exact: true }).waitFor();
  });

  it("signs in with the password and then a code from the app", async () => {
    await signOut();
    await page.getByLabel("Email", { exact: true }).fill(person.email);
    await page.getByLabel("Password", { exact: true }).fill(person.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByLabel("Authentication code", { exact: true }).waitFor();
    await screenshot(page, "two-factor-04-code-asked");
    // The next period's code: the current one was spent turning it on, and no code counts twice.
    await page.getByLabel("Authentication code", { exact: true }).fill(await codeAt(1));
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(/\/w\/[^/]+$/);
  });

  it("signs in with a recovery code once, and refuses the same code the second time", async () => {
    const [recovery] = recoveryCodes;
    await signOut();
    await signIn(recovery ?? "");
    await page.waitForURL(/\/w\/[^/]+$/);

    await signOut();
    await signIn(recovery ?? "");
    await page.getByRole("alert").filter({ hasText: "That code is not correct, or it was already used." }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    await screenshot(page, "two-factor-05-recovery-code-refused");
  });
});
