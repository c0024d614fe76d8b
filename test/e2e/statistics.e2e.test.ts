// A flow's statistics as its user sees them: after runs with known failures, the page opened from the builder
// shows the hour's numbers, charts drawn by recharts with data, the slowest runs (linked) and the steps.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callProcedure, launchBrowser, screenshot } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const user = {
  email: `statistics-${Date.now().toString(36)}@example.com`,
  password: "amber willow lantern quartz",
};

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
});

describe("flow statistics", () => {
  it("charts a flow's runs and durations, with its slowest runs and steps", async () => {
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
    const workspaceId = workspace.id as string;
    const created = await callProcedure(page, "flows.create", {
      workspaceId,
      name: "Measured flow",
      graph: {
        version: 1,
        steps: [
          { id: "start", type: "trigger.manual", position: { x: 0, y: 0 } },
          {
            id: "check",
            type: "code.typescript",
            config: {
              source: "export default (m) => { if (m.body.fail) throw new Error('asked to fail'); return m.body; }",
            },
            position: { x: 260, y: 0 },
          },
        ],
        edges: [{ from: "start", to: "check", output: "out" }],
      },
    });
    const flowId = created.body.result.data.json.id as string;
    await callProcedure(page, "flows.publish", { workspaceId, flowId });
    const fails = [false, true, false, false, false, true, false, false];
    for (const [n, fail] of fails.entries())
      await callProcedure(page, "runs.start", { workspaceId, flowId, body: { n, fail } });

    await page.goto(`/w/${slug}/flows/${flowId}`);
    // The builder's header settles once the draft is validated; a click before could land on what moved there.
    await page.getByText("Valid", { exact: true }).waitFor();
    const link = page.getByRole("link", { name: "Statistics", exact: true });
    expect(await link.getAttribute("href")).toBe(`/w/${slug}/flows/${flowId}/statistics`);
    await link.click();
    await page.waitForURL(/\/statistics$/);
    // The runs end while the page polls; reloaded until all eight are counted.
    const lastHour = page.locator('[data-period-row="Last hour"]');
    await expect
      .poll(
        async () => {
          await page.reload();
          await lastHour.waitFor();
          return (await lastHour.locator("td").allInnerTexts()).slice(1, 3);
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toEqual(["8", "2"]);

    const runsChart = page.locator('[data-chart="runs"]');
    await runsChart.locator(".recharts-surface[role=application]").waitFor();
    expect(
      await runsChart.locator(".recharts-bar-rectangle path, .recharts-bar-rectangle rect").count(),
    ).toBeGreaterThan(0);
    const durationChart = page.locator('[data-chart="duration"]');
    // Mean, p95 and max: three lines, each with its points drawn.
    await durationChart.locator(".recharts-line-dot").first().waitFor();
    expect(await durationChart.locator(".recharts-line").count()).toBe(3);
    expect(await durationChart.locator(".recharts-line-dot").count()).toBeGreaterThanOrEqual(3);
    const steps = page.getByRole("table", { name: "Steps by time spent", exact: true });
    await expect.poll(() => steps.getByText("check", { exact: true }).count()).toBeGreaterThan(0);
    await screenshot(page, "statistics-01-flow", { fullPage: true });

    const slowest = page.getByRole("table", { name: "Slowest runs", exact: true }).getByRole("link").first();
    await slowest.click();
    await page.waitForURL(new RegExp(`/w/${slug}/runs/[0-9a-f-]{36}$`));
  });
});
