// A team's first day, in a real browser against the real app: sign up, a second workspace, an invite, a role
// change, and a viewer who sees no management controls and whose direct calls the server refuses.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callProcedure, launchBrowser, screenshot } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const run = Date.now().toString(36);
const owner = { email: `owner-${run}@example.com`, password: "maple harbour velvet compass" };
const guest = { email: `guest-${run}@example.com`, password: "quiet meadow copper kettle" };
const workspaceName = `Acme Integrations ${run}`;

let browser: Browser;
let ownerContext: BrowserContext;
let guestContext: BrowserContext;
let ownerPage: Page;
let guestPage: Page;
let inviteLink = "";
let workspaceUrl = "";
let ownWorkspaceUrl = "";

beforeAll(async () => {
  browser = await launchBrowser();
  ownerContext = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
  guestContext = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
  ownerPage = await ownerContext.newPage();
  guestPage = await guestContext.newPage();
});

afterAll(async () => {
  await browser?.close();
});

/** The owner invites the guest to a workspace from its Members page; the link the page shows. */
async function invite(workspace: string, role: string): Promise<string> {
  await ownerPage.goto(`${workspace}/members`);
  await ownerPage.getByLabel("Email", { exact: true }).fill(guest.email);
  await ownerPage.getByLabel("Role", { exact: true }).selectOption(role);
  await ownerPage.getByRole("button", { name: "Send invite", exact: true }).click();
  const link = ownerPage.getByLabel("Invite link", { exact: true });
  await link.waitFor();
  return link.inputValue();
}

describe("team workspaces in the browser", () => {
  it("signs up and lands in a workspace of one's own", async () => {
    await ownerPage.goto("/");
    await screenshot(ownerPage, "01-landing");
    await ownerPage.getByRole("link", { name: "Sign up", exact: true }).click();
    await ownerPage.getByLabel("Email", { exact: true }).fill(owner.email);
    await ownerPage.getByLabel("Password", { exact: true }).fill(owner.password);
    await screenshot(ownerPage, "02-sign-up");
    await ownerPage.getByRole("button", { name: "Create account", exact: true }).click();
    await ownerPage.waitForURL(/\/w\/owner-/);
    ownWorkspaceUrl = new URL(ownerPage.url()).pathname;
    await expect(ownerPage.getByRole("heading", { level: 1 }).textContent()).resolves.toContain("workspace");
    await screenshot(ownerPage, "03-own-workspace");
  });

  it("creates a second workspace from the switcher", async () => {
    await ownerPage.getByRole("button", { name: /Switch workspace/ }).click();
    await ownerPage.getByRole("menuitem", { name: "+ Create workspace", exact: true }).click();
    // The overview has a Name field of its own (a new flow's): type into the new workspace's form.
    await ownerPage.waitForURL(/\/workspaces\/new/);
    await ownerPage.getByLabel("Name", { exact: true }).fill(workspaceName);
    await screenshot(ownerPage, "04-create-workspace");
    await ownerPage.getByRole("button", { name: "Create workspace", exact: true }).click();
    await ownerPage.waitForURL(/\/w\/acme-integrations/);
    workspaceUrl = new URL(ownerPage.url()).pathname;
    await ownerPage.getByRole("button", { name: /Switch workspace/ }).click();
    await ownerPage.getByRole("menuitem", { name: new RegExp(workspaceName) }).waitFor();
    await expect(ownerPage.getByRole("menuitem").count()).resolves.toBe(3);
    await screenshot(ownerPage, "05-switcher");
    await ownerPage.keyboard.press("Escape");
  });

  it("invites a second user as editor and shows the link", async () => {
    inviteLink = await invite(workspaceUrl, "editor");
    expect(inviteLink).toMatch(/\/invite\/[0-9a-f-]{36}\.[\w-]{43}$/);
    await screenshot(ownerPage, "06-invite-link");
  });

  it("lets the invited user sign up through the link and accept", async () => {
    await guestPage.goto(inviteLink);
    await screenshot(guestPage, "07-invite");
    await guestPage.getByRole("link", { name: "Create an account to accept", exact: true }).click();
    await expect(guestPage.getByLabel("Email", { exact: true }).inputValue()).resolves.toBe(guest.email);
    await guestPage.getByLabel("Password", { exact: true }).fill(guest.password);
    // The account, made to accept the invite, accepts it: no second button to press.
    await guestPage.getByRole("button", { name: "Create account", exact: true }).click();
    await guestPage.waitForURL(new RegExp(`${workspaceUrl}$`));
    await guestPage.getByText("You are an editor of this workspace.", { exact: true }).waitFor();
    await screenshot(guestPage, "08-guest-joined-as-editor");
  });

  it("lets a person who has an account accept an invite while signed in", async () => {
    await guestPage.goto(await invite(ownWorkspaceUrl, "operator"));
    await guestPage.getByRole("button", { name: "Accept invitation", exact: true }).click();
    await guestPage.waitForURL(new RegExp(`${ownWorkspaceUrl}$`));
    await guestPage.getByText("You are an operator of this workspace.", { exact: true }).waitFor();
    await ownerPage.goto(`${workspaceUrl}/members`);
  });

  it("lets the owner change the new member's role to viewer", async () => {
    await ownerPage.reload();
    const role = ownerPage.getByLabel(`Role of ${guest.email}`, { exact: true });
    await expect(role.inputValue()).resolves.toBe("editor");
    // Listen before acting: the answer can come back before a listener added afterwards would see it.
    const changed = ownerPage.waitForResponse(
      (response) => response.url().includes("members.changeRole") && response.ok(),
    );
    await role.selectOption("viewer");
    await changed;
    await ownerPage.reload();
    await expect(ownerPage.getByLabel(`Role of ${guest.email}`, { exact: true }).inputValue()).resolves.toBe("viewer");
    await screenshot(ownerPage, "09-role-changed");
  });

  it("shows the viewer no member management, and the server refuses it anyway", async () => {
    await guestPage.goto(`${workspaceUrl}/members`);
    await guestPage.getByRole("cell", { name: owner.email, exact: true }).waitFor();
    await expect(guestPage.getByText("Invite a member", { exact: true }).count()).resolves.toBe(0);
    await expect(guestPage.getByRole("combobox").count()).resolves.toBe(0);
    await expect(guestPage.getByRole("button", { name: /Remove/ }).count()).resolves.toBe(0);
    await expect(guestPage.getByRole("link", { name: "Audit log", exact: true }).count()).resolves.toBe(0);
    await screenshot(guestPage, "10-viewer-members");

    const slug = workspaceUrl.split("/").pop();
    const lookup = await guestPage.evaluate(async (slug) => {
      const input = encodeURIComponent(JSON.stringify({ json: { slug } }));
      return (await fetch(`/api/trpc/workspaces.bySlug?input=${input}`)).json();
    }, slug);
    const workspaceId = lookup.result.data.json.id as string;
    const members = await guestPage.evaluate(async (workspaceId) => {
      const input = encodeURIComponent(JSON.stringify({ json: { workspaceId } }));
      return (await fetch(`/api/trpc/members.list?input=${input}`)).json();
    }, workspaceId);
    const ownerId = (members.result.data.json as { email: string; userId: string }[]).find(
      (m) => m.email === owner.email,
    )?.userId;

    const promote = await callProcedure(guestPage, "members.changeRole", {
      workspaceId,
      userId: ownerId,
      role: "viewer",
    });
    expect(promote.status).toBe(403);
    expect(promote.body.error.json.data.code).toBe("FORBIDDEN");
    const invite = await callProcedure(guestPage, "members.invite", {
      workspaceId,
      email: "x@example.com",
      role: "viewer",
    });
    expect(invite.status).toBe(403);
  });

  it("keeps the owner's sessions apart: signing out revokes the session", async () => {
    const cookies = await ownerContext.cookies();
    await ownerPage.getByRole("button", { name: "Sign out", exact: true }).click();
    await ownerPage.waitForURL(/\/login/);
    // Replaying the old session cookie after sign-out gets nothing.
    const replay = await browser.newContext({ baseURL: baseUrl });
    await replay.addCookies(cookies);
    const page = await replay.newPage();
    await page.goto(workspaceUrl);
    await page.waitForURL(/\/login/);
    await replay.close();
  });
});
