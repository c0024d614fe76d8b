// Single sign-on in a real browser against a real OpenID Connect provider (oidc-provider, on loopback in this
// process): an owner sets it up in Settings with the mouse and keyboard; a new person signs in through the
// provider's login and consent pages and lands in the workspace with the role their group maps to; the owner
// changes the mapping and the next sign-in has the new role; once the workspace requires single sign-on, a
// member's password session is sent to single sign-on while the owner's password still opens the workspace.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, screenshot } from "../support/browser.ts";
import { startOidcProvider, type TestOidcProvider } from "../support/oidc-provider.ts";

const baseUrl = inject("baseUrl");
const run = Date.now().toString(36);
const domain = `sso-${run}.example.com`;
const owner = { email: `owner-${run}@example.com`, password: "harbour lantern cobalt thistle" };
const member = { email: `member-${run}@example.com`, password: "saffron glacier juniper anchor" };
// The provider's login is the work email (it comes filled in from the login hint Tributary sends).
const person = { email: `grace@${domain}`, name: "Grace Hopper" };

let browser: Browser;
let provider: TestOidcProvider;
let ownerPage: Page;
let personContext: BrowserContext;
let personPage: Page;
let workspaceUrl = "";

const newPage = async () =>
  (await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } })).newPage();

/** Types into a field the way a person does: click it, clear it, type. */
async function typeInto(page: Page, label: string, text: string) {
  const field = page.getByLabel(label, { exact: true });
  await field.click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Backspace");
  await page.keyboard.type(text);
}

/**
 * From the sign-in page through the provider and back: its login page (the email comes filled in from the login
 * hint; typed again with the password) and its consent page, each once, when it shows them.
 */
async function signInWithSso(page: Page) {
  await page.goto("/login");
  await page.getByRole("link", { name: "Sign in with SSO", exact: true }).click();
  await page.getByLabel("Work email or workspace", { exact: true }).click();
  await page.keyboard.type(person.email);
  await page.keyboard.press("Enter");
  const login = page.locator('input[name="login"]');
  const consent = page.getByRole("button", { name: "Continue", exact: true });
  const done = { login: false, consent: false };
  const atProvider = () => page.url().startsWith(provider.issuer);
  await expect
    .poll(
      async () => {
        if (!atProvider() && new URL(page.url()).pathname === workspaceUrl) return "in the workspace";
        if (atProvider() && !done.login && (await login.isVisible())) {
          done.login = true;
          await screenshot(page, "sso-02-provider-login");
          await expect.poll(() => login.inputValue(), { timeout: 30_000 }).toBe(person.email);
          await login.click();
          await page.keyboard.press("ControlOrMeta+A");
          await page.keyboard.type(person.email);
          await page.locator('input[name="password"]').click();
          await page.keyboard.type("correct horse battery staple");
          await page.getByRole("button", { name: "Sign-in", exact: true }).click();
        } else if (atProvider() && !done.consent && (await consent.isVisible())) {
          done.consent = true;
          await consent.click();
        }
        return page.url();
      },
      { timeout: 90_000, interval: 250 },
    )
    .toBe("in the workspace");
}

/** The role the owner's members page shows for a member. */
async function roleShownToOwner(email: string): Promise<string> {
  await ownerPage.goto(`${workspaceUrl}/members`);
  const role = ownerPage.getByLabel(`Role of ${email}`, { exact: true });
  await role.waitFor();
  return role.inputValue();
}

async function saveSso() {
  await ownerPage.getByRole("button", { name: "Save single sign-on", exact: true }).click();
  await ownerPage.getByText("Single sign-on saved.", { exact: true }).waitFor({ timeout: 30_000 });
}

beforeAll(async () => {
  provider = await startOidcProvider({
    redirectUris: [`${baseUrl}/api/sso/callback`],
    people: { [person.email]: { email: person.email, name: person.name, groups: ["engineering", "all-staff"] } },
  });
  browser = await launchBrowser();
  ownerPage = await newPage();
  personContext = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
  personPage = await personContext.newPage();
});
afterAll(async () => {
  await browser?.close();
  await provider?.stop();
});

describe("single sign-on in the browser", () => {
  it("an owner sets it up in Settings", { timeout: 120_000 }, async () => {
    await ownerPage.goto("/signup");
    await ownerPage.getByLabel("Email", { exact: true }).fill(owner.email);
    await ownerPage.getByLabel("Password", { exact: true }).fill(owner.password);
    await ownerPage.getByRole("button", { name: "Create account", exact: true }).click();
    await ownerPage.waitForURL(/\/w\/[^/]+$/);
    workspaceUrl = new URL(ownerPage.url()).pathname;

    // A member with a password, invited before single sign-on is required.
    await ownerPage.goto(`${workspaceUrl}/members`);
    await ownerPage.getByLabel("Email", { exact: true }).fill(member.email);
    await ownerPage.getByLabel("Role", { exact: true }).selectOption("editor");
    await ownerPage.getByRole("button", { name: "Send invite", exact: true }).click();
    const link = ownerPage.getByLabel("Invite link", { exact: true });
    await link.waitFor();
    const memberPage = await newPage();
    await memberPage.goto(await link.inputValue());
    await memberPage.getByRole("link", { name: "Create an account to accept", exact: true }).click();
    await memberPage.getByLabel("Password", { exact: true }).fill(member.password);
    await memberPage.getByRole("button", { name: "Create account", exact: true }).click();
    await memberPage.waitForURL((url) => url.pathname === workspaceUrl);
    await memberPage.context().close();

    await ownerPage.goto(`${workspaceUrl}/settings`);
    // The provider runs on this machine: the workspace must allow its loopback address first.
    await typeInto(ownerPage, "Add a host", "127.0.0.1");
    await ownerPage.keyboard.press("Enter");
    await ownerPage
      .getByRole("list", { name: "Allowed hosts", exact: true })
      .getByText("127.0.0.1", { exact: true })
      .waitFor();

    await typeInto(ownerPage, "Issuer URL", provider.issuer);
    await ownerPage.keyboard.press("Tab");
    await ownerPage.keyboard.type(provider.clientId);
    await typeInto(ownerPage, "Client secret", provider.clientSecret);
    await typeInto(ownerPage, "Allowed email domains", domain);
    await typeInto(ownerPage, "Group 1", "engineering");
    await ownerPage.getByLabel("Role for group 1", { exact: true }).selectOption("editor");
    await ownerPage.getByRole("button", { name: "Add a group", exact: true }).click();
    await typeInto(ownerPage, "Group 2", "operations");
    await ownerPage.getByLabel("Role for group 2", { exact: true }).selectOption("operator");
    await saveSso();
    await screenshot(ownerPage, "sso-01-settings");

    // The secret is write-only: after a reload the field is empty and the form says it is saved.
    await ownerPage.reload();
    await expect
      .poll(() => ownerPage.getByLabel("Issuer URL", { exact: true }).inputValue(), { timeout: 30_000 })
      .toBe(provider.issuer);
    expect(await ownerPage.getByLabel("Client secret", { exact: true }).inputValue()).toBe("");
    await ownerPage.getByText("Saved and never shown again").waitFor();
  });

  it("a new person signs in through the provider and lands in the workspace with the mapped role", {
    timeout: 120_000,
  }, async () => {
    await signInWithSso(personPage);
    await personPage.getByRole("button", { name: "Sign out", exact: true }).waitFor();
    await screenshot(personPage, "sso-03-signed-in");
    expect(await roleShownToOwner(person.email)).toBe("editor");
  });

  it("the owner changes the mapping; the next sign-in has the new role", { timeout: 120_000 }, async () => {
    await ownerPage.goto(`${workspaceUrl}/settings`);
    await expect
      .poll(() => ownerPage.getByLabel("Group 1", { exact: true }).inputValue(), { timeout: 30_000 })
      .toBe("engineering");
    await ownerPage.getByLabel("Role for group 1", { exact: true }).selectOption("viewer");
    await saveSso();

    await personPage.goto(workspaceUrl);
    await personPage.getByRole("button", { name: "Sign out", exact: true }).click();
    await personPage.waitForURL(/\/login/);
    await signInWithSso(personPage);
    expect(await roleShownToOwner(person.email)).toBe("viewer");
  });

  it("once required, a member's password opens nothing there but the owner's break-glass password does", {
    timeout: 120_000,
  }, async () => {
    await ownerPage.goto(`${workspaceUrl}/settings`);
    const required = ownerPage.getByLabel(/Require single sign-on for members/);
    await expect
      .poll(() => ownerPage.getByLabel("Issuer URL", { exact: true }).inputValue(), { timeout: 30_000 })
      .toBe(provider.issuer);
    await required.check();
    await saveSso();

    const memberPage = await newPage();
    await memberPage.goto("/login");
    await memberPage.getByLabel("Email", { exact: true }).fill(member.email);
    await memberPage.getByLabel("Password", { exact: true }).fill(member.password);
    await memberPage.getByRole("button", { name: "Sign in", exact: true }).click();
    await memberPage.waitForURL((url) => url.pathname !== "/login");
    // Their own workspace opens; this one sends them to single sign-on, with the workspace filled in.
    await memberPage.goto(workspaceUrl);
    await memberPage.waitForURL(/\/login\/sso/);
    await memberPage.getByText("This workspace requires single sign-on").waitFor();
    expect(await memberPage.getByLabel("Work email or workspace", { exact: true }).inputValue()).toBe(
      workspaceUrl.split("/").pop(),
    );
    await screenshot(memberPage, "sso-04-password-refused");
    await memberPage.context().close();

    // The single sign-on person is still let in.
    await personPage.goto(workspaceUrl);
    await personPage.getByRole("button", { name: "Sign out", exact: true }).waitFor();

    await ownerPage.getByRole("button", { name: "Sign out", exact: true }).click();
    await ownerPage.waitForURL(/\/login/);
    await ownerPage.getByLabel("Email", { exact: true }).fill(owner.email);
    await ownerPage.getByLabel("Password", { exact: true }).fill(owner.password);
    await ownerPage.getByRole("button", { name: "Sign in", exact: true }).click();
    await ownerPage.waitForURL(/\/w\//);
    await ownerPage.goto(`${workspaceUrl}/settings`);
    await ownerPage.getByText("Single sign-on (OpenID Connect)", { exact: true }).waitFor();
  });
});
