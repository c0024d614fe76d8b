// A visitor from the landing page through "Try the demo" to testing a sample flow in the builder, running one
// and seeing its run, then keeping the workspace by signing up.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, screenshot } from "../support/browser.ts";

const baseUrl = inject("baseUrl");

let browser: Browser;
let page: Page;
let slug = "";

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
});

describe("the demo in the browser", () => {
  it("starts from the landing page without signing up, in a workspace with sample flows", async () => {
    await page.goto("/");
    await page.getByRole("button", { name: "Try the demo", exact: true }).click();
    await page.waitForURL(/\/w\/demo-/);
    slug = new URL(page.url()).pathname.split("/")[2] ?? "";
    await page.getByText("This is a demo workspace").waitFor();
    await screenshot(page, "demo-01-workspace");
    await page.getByRole("link", { name: "Flows", exact: true }).click();
    // The overview links the flow too (its webhook URL): the Flows page's row is the one meant.
    await page.waitForURL(/\/flows$/);
    await page.getByRole("row", { name: /Quote over a webhook/ }).waitFor();
    await expect.poll(() => page.getByRole("row").count(), { timeout: 10_000 }).toBe(5);
    await screenshot(page, "demo-02-sample-flows");
  });

  it("offers first the templates that run in the demo, and says which need a system of one's own", async () => {
    await page.goto(`/w/${slug}`);
    const start = page.getByRole("heading", { name: "Build a flow" }).locator("..");
    // The overview suggests three templates: in a demo, three that run as they are (Slack's would not).
    await start.getByRole("link", { name: "HL7 v2 → JSON", exact: true }).waitFor();
    await expect(start.getByRole("link", { name: "Webhook → Slack message" }).count()).resolves.toBe(0);
    await start.getByRole("link", { name: /Browse all \d+ templates/ }).click();
    const cards = page
      .getByRole("list", { name: "Templates" })
      .getByRole("listitem")
      .filter({ has: page.getByRole("heading") });
    await cards.first().waitFor();
    await expect(cards.first().getByText("Runs as it is: try it at once.").count()).resolves.toBe(1);
    const slack = cards.filter({ hasText: "Webhook → Slack message" });
    await slack.getByText(/Not in the demo: sign up to connect your own/).waitFor();
    await screenshot(page, "demo-02b-templates");
    await page.goto(`/w/${slug}/flows`);
  });

  it("tests a sample flow in the builder with its own sample message, pinned on its trigger", async () => {
    await page.getByRole("link", { name: "Loop with a code step", exact: true }).click();
    await page.getByRole("tab", { name: "Test", exact: true }).click();
    const sample = page.getByLabel("Sample message body (JSON)");
    await expect.poll(() => sample.inputValue(), { timeout: 15_000 }).toContain('"lines"');
    await page.getByRole("button", { name: "Run test", exact: true }).click();
    // The code step priced each line and the last step added them up: 2 × 3 + 1 × 10.
    await page.getByText('"total": 16').first().waitFor({ timeout: 30_000 });
    await screenshot(page, "demo-03-test-run");
  });

  it("shows the sample runs, and a call to the sample webhook appears as a new run", async () => {
    await page.goto(`/w/${slug}/runs`);
    await page
      .getByRole("link", { name: /succeeded/ })
      .first()
      .waitFor();
    const before = await page.getByRole("link", { name: /Run .*:/ }).count();
    const response = await fetch(`${baseUrl}/hooks/${slug}/quote`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ item: "coffee", qty: 2 }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ item: "coffee", total: 9 });
    await page.waitForFunction((count) => document.querySelectorAll('a[aria-label^="Run "]').length > count, before, {
      timeout: 15_000,
    });
    await screenshot(page, "demo-04-runs");
  });

  it("keeps the workspace when the visitor signs up", async () => {
    await page.goto(`/w/${slug}`);
    await page.getByRole("link", { name: "Sign up to keep this workspace", exact: true }).click();
    await page.getByLabel("Email", { exact: true }).fill(`kept-${Date.now().toString(36)}@example.com`);
    await page.getByLabel("Password", { exact: true }).fill("walnut harbour quiet lantern");
    await screenshot(page, "demo-05-keep");
    await page.getByRole("button", { name: "Keep my workspace", exact: true }).click();
    await page.waitForURL(new RegExp(`/w/${slug}$`));
    await page.getByRole("link", { name: "Flows", exact: true }).waitFor();
    await expect(page.getByText("This is a demo workspace").count()).resolves.toBe(0);
  });
});
