// Pages looked at as a visitor would (issue 14): the API reference renders without a console error, the app
// has an icon, and a failed run's page fits a 390-px phone with its long ids, error and message wrapped.
import type { Browser, ConsoleMessage, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callProcedure, launchBrowser, screenshot } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const run = Date.now().toString(36);
const user = { email: `pages-${run}@example.com`, password: "amber willow lantern quartz" };

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
});

describe("pages a visitor looks at", () => {
  it("renders the API reference without console errors, and serves the app's icon", async () => {
    const errors: string[] = [];
    const onConsole = (message: ConsoleMessage) => {
      if (message.type() === "error") errors.push(message.text());
    };
    page.on("console", onConsole);
    page.on("pageerror", (error) => errors.push(error.message));
    try {
      await page.goto("/docs/api");
      await page.getByRole("heading", { name: "REST API reference", exact: true }).waitFor();
      await page.waitForLoadState("networkidle");
    } finally {
      page.off("console", onConsole);
    }
    expect(errors).toEqual([]);

    const icon = await page.locator('link[rel="icon"]').first().getAttribute("href");
    expect(icon).toBeTruthy();
    const served = await fetch(new URL(icon ?? "", baseUrl));
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toContain("image/svg+xml");
  });

  it("fits a failed run's page into a 390-px phone, long error and message included", async () => {
    await page.goto("/signup");
    await page.getByLabel("Email", { exact: true }).fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    await page.getByRole("button", { name: "Create account", exact: true }).click();
    await page.waitForURL(/\/w\//);
    const slug = new URL(page.url()).pathname.split("/")[2] ?? "";
    const workspace = await page.evaluate(async (slug) => {
      const input = encodeURIComponent(JSON.stringify({ json: { slug } }));
      return (await (await fetch(`/api/trpc/workspaces.bySlug?input=${input}`)).json()).result.data.json;
    }, slug);
    const longWord = "https://prices.example.com/lists/2026/".padEnd(240, "x");
    const created = await callProcedure(page, "flows.create", {
      workspaceId: workspace.id,
      name: "Pricing with a rather long name that a phone has to wrap somewhere",
      graph: {
        version: 1,
        steps: [
          { id: "hook", type: "trigger.webhook", config: { path: "phone-price" }, position: { x: 0, y: 0 } },
          {
            id: "price-lookup-with-a-long-step-id",
            type: "data.transform",
            config: { expression: `$error('no price list at ${longWord}')` },
            position: { x: 260, y: 0 },
          },
        ],
        edges: [{ from: "hook", to: "price-lookup-with-a-long-step-id", output: "out" }],
      },
    });
    const flowId = created.body.result.data.json.id as string;
    await callProcedure(page, "flows.publish", { workspaceId: workspace.id, flowId });
    const call = await fetch(`${baseUrl}/hooks/${slug}/phone-price`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ item: "tea", note: longWord }),
    });
    const { runId } = (await call.json()) as { runId: string };

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/w/${slug}/runs/${runId}`);
    await page.getByText("Step price-lookup-with-a-long-step-id failed").waitFor();
    await page.getByRole("button", { name: /^price-lookup-with-a-long-step-id\s*failed/ }).waitFor();
    await page.waitForTimeout(300);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    await screenshot(page, "phone-failed-run");
    expect(width).toBeLessThanOrEqual(390);
  });
});
