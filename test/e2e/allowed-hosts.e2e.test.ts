// Private networks in the browser: an owner invites an admin, who opens Settings and allows two private hosts,
// one typed and sent with Enter, one added with the mouse, sees a bad entry refused with its reason, and removes
// one again.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, screenshot } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const run = Date.now().toString(36);
const owner = { email: `hosts-owner-${run}@example.com`, password: "amber willow lantern quartz" };
const admin = { email: `hosts-admin-${run}@example.com`, password: "copper meadow signal thistle" };

let browser: Browser;
let ownerPage: Page;
let adminPage: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  const open = async () =>
    (await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } })).newPage();
  ownerPage = await open();
  adminPage = await open();
});
afterAll(async () => {
  await browser?.close();
});

describe("allowed hosts in Settings", () => {
  it("lets an admin add private hosts with the keyboard and the mouse, and lists them", async () => {
    await ownerPage.goto("/signup");
    await ownerPage.getByLabel("Email", { exact: true }).fill(owner.email);
    await ownerPage.getByLabel("Password", { exact: true }).fill(owner.password);
    await ownerPage.getByRole("button", { name: "Create account", exact: true }).click();
    await ownerPage.waitForURL(/\/w\//);
    const slug = new URL(ownerPage.url()).pathname.split("/")[2] ?? "";
    await ownerPage.goto(`/w/${slug}/members`);
    await ownerPage.getByLabel("Email", { exact: true }).fill(admin.email);
    await ownerPage.getByLabel("Role", { exact: true }).selectOption("admin");
    await ownerPage.getByRole("button", { name: "Send invite", exact: true }).click();
    const inviteLink = await ownerPage.getByLabel("Invite link", { exact: true }).inputValue();

    await adminPage.goto(inviteLink);
    await adminPage.getByRole("link", { name: "Create an account to accept", exact: true }).click();
    await adminPage.getByLabel("Password", { exact: true }).fill(admin.password);
    await adminPage.getByRole("button", { name: "Create account", exact: true }).click();
    await adminPage.getByText("You are an admin of this workspace.", { exact: true }).waitFor();

    await adminPage.goto(`/w/${slug}/settings`);
    await adminPage.getByText("No private hosts are allowed.", { exact: true }).waitFor();
    const field = adminPage.getByLabel("Add a host", { exact: true });
    await field.focus();
    await adminPage.keyboard.type("db.internal:5432");
    await adminPage.keyboard.press("Enter");
    const listed = adminPage.getByRole("list", { name: "Allowed hosts", exact: true });
    await listed.getByText("db.internal:5432", { exact: true }).waitFor();
    await expect(field.inputValue()).resolves.toBe("");

    await field.click();
    await field.fill("10.0.0.0/33");
    await adminPage.getByRole("button", { name: "Add", exact: true }).click();
    await adminPage.getByText(/"10.0.0.0\/33" is not a CIDR range/).waitFor();
    await field.fill("10.20.0.0/16");
    await adminPage.getByRole("button", { name: "Add", exact: true }).click();
    await listed.getByText("10.20.0.0/16", { exact: true }).waitFor();
    await screenshot(adminPage, "allowed-hosts-01-added", { fullPage: false });

    await adminPage.getByRole("button", { name: "Remove db.internal:5432", exact: true }).click();
    await listed.getByText("db.internal:5432", { exact: true }).waitFor({ state: "detached" });
    await adminPage.reload();
    const afterReload = adminPage.getByRole("list", { name: "Allowed hosts", exact: true });
    await afterReload.getByText("10.20.0.0/16", { exact: true }).waitFor();
    await expect.poll(() => afterReload.getByRole("listitem").count(), { timeout: 10_000 }).toBe(1);
  });
});
