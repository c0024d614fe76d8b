// Every page of the app scanned with axe-core (issue 14): no serious or critical violation anywhere, from the
// sign-in page (and SSO's) to the builder's step panel, a run, a flow's statistics and dead letters, alerts, the
// template gallery, the settings' single sign-on and promotion sections, the audit log and the demo workspace. axe-core is injected into the page as
// a script, so the scan needs nothing but playwright-core.
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callProcedure, launchBrowser, screenshot, signUpInBrowser } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const run = Date.now().toString(36);
const user = { email: `a11y-${run}@example.com`, password: "amber willow lantern quartz" };
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

type Violation = { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] };

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Runs axe on the page as it is and returns its serious and critical violations, one line each. */
async function scan(page: Page, name: string): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document)).violations;
  })) as Violation[];
  await screenshot(page, `a11y-${name}`, { fullPage: false });
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${name}: ${violation.id} (${violation.impact}) ${violation.help} at ${violation.nodes
          .slice(0, 3)
          .map((node) => node.target.join(" "))
          .join(", ")}`,
    );
}

/** Opens a path and waits for its main heading and for its data to arrive. */
async function visit(page: Page, path: string, heading: string | RegExp) {
  await page.goto(path);
  await page.getByRole("heading", { name: heading, exact: true }).first().waitFor();
  await page.waitForLoadState("networkidle");
}

describe("accessibility of every page", () => {
  // Twenty-eight screens, each loaded and scanned: minutes on a busy machine.
  it("has no serious or critical axe violation on any page", { timeout: 600_000 }, async () => {
    const found: string[] = [];
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 } });
    try {
      const page = await context.newPage();
      for (const [name, path, heading] of [
        ["landing", "/", /Connect your systems/],
        ["sign-in", "/login", /Sign in/],
        ["sign-up", "/signup", /Create/],
        ["forgot-password", "/forgot-password", /password/i],
        ["sign-in-sso", "/login/sso", "Sign in with SSO"],
        ["api-docs", "/docs/api", "REST API reference"],
      ] as const) {
        await visit(page, path, heading);
        found.push(...(await scan(page, name)));
      }

      const { slug, workspaceId } = await signUpInBrowser(page, user);
      const created = await callProcedure(page, "flows.create", {
        workspaceId,
        name: "Greeting",
        graph: {
          version: 1,
          steps: [
            { id: "hook", type: "trigger.webhook", config: { path: `a11y-${run}` }, position: { x: 0, y: 0 } },
            {
              id: "shape",
              type: "data.transform",
              config: { expression: "{ 'hi': name }" },
              position: { x: 320, y: 0 },
            },
          ],
          edges: [{ from: "hook", to: "shape", output: "out" }],
        },
      });
      const flowId = created.body.result.data.json.id as string;
      await callProcedure(page, "flows.publish", { workspaceId, flowId });
      await callProcedure(page, "connections.save", {
        workspaceId,
        name: "Billing API",
        type: "http",
        config: { baseUrl: "https://billing.example.com", auth: "none" },
      });
      await callProcedure(page, "secrets.set", { workspaceId, name: "BILLING_TOKEN", value: "t0ken" });
      const call = await fetch(`${baseUrl}/hooks/${slug}/a11y-${run}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Ada" }),
      });
      const { runId } = (await call.json()) as { runId: string };

      const base = `/w/${slug}`;
      for (const [name, path, heading] of [
        ["overview", base, /./],
        ["flows", `${base}/flows`, "Flows"],
        ["runs", `${base}/runs`, "Runs"],
        ["run", `${base}/runs/${runId}`, /Run/],
        ["connections", `${base}/connections`, "Connections"],
        ["secrets", `${base}/secrets`, "Secrets"],
        ["security", `${base}/security`, /Security/],
        ["topics", `${base}/topics`, /Topics/],
        ["settings", `${base}/settings`, /Settings/],
        ["members", `${base}/members`, "Members"],
        ["api-keys", `${base}/api-keys`, /API keys/],
        ["audit", `${base}/audit`, "Audit log"],
        ["templates", `${base}/flows/templates`, "Templates"],
        ["dead-letters", `${base}/flows/${flowId}/dead-letters`, /Dead letters/],
        ["account", "/account", /account/i],
      ] as const) {
        await visit(page, path, heading);
        found.push(...(await scan(page, name)));
      }

      // Settings, with its single sign-on and promotion sections loaded.
      await visit(page, `${base}/settings`, /Settings/);
      await page.getByRole("heading", { name: "Single sign-on (OpenID Connect)", exact: true }).waitFor();
      await page.getByRole("heading", { name: "Promote between workspaces", exact: true }).waitFor();
      found.push(...(await scan(page, "settings-sso-promotion")));

      // Alerts, with the rule form open.
      await visit(page, `${base}/alerts`, "Alerts");
      await page.getByRole("button", { name: "New alert rule", exact: true }).click();
      await page.getByRole("heading", { name: "New alert rule", exact: true }).waitFor();
      found.push(...(await scan(page, "alerts-rule-form")));

      // The flow's statistics once its run is counted: numbers, charts and tables drawn.
      await visit(page, `${base}/flows/${flowId}/statistics`, /Statistics/);
      const lastHour = page.locator('[data-period-row="Last hour"]');
      await expect
        .poll(
          async () => {
            await page.reload();
            await lastHour.waitFor();
            return (await lastHour.locator("td").allInnerTexts())[1];
          },
          { timeout: 60_000, interval: 1_000 },
        )
        .toBe("1");
      await page.locator('[data-chart="runs"] .recharts-surface').first().waitFor();
      found.push(...(await scan(page, "statistics")));

      // The builder with a step open in its panel: its pinned input and output beside the expression editor.
      await callProcedure(page, "flows.savePins", {
        workspaceId,
        flowId,
        pins: { hook: { body: { name: "Ada" }, headers: [] }, shape: { body: { hi: "Ada" }, headers: [] } },
      });
      await visit(page, `${base}/flows/${flowId}`, "Greeting");
      await page.getByTestId("step-shape").click();
      const panel = page.getByRole("complementary", { name: "Panel", exact: true });
      await panel.getByLabel("Expression", { exact: true }).waitFor();
      await panel.getByRole("tabpanel", { name: "Input", exact: true }).getByText('"Ada"', { exact: true }).waitFor();
      await panel.getByRole("tabpanel", { name: "Pinned output", exact: true }).waitFor();
      found.push(...(await scan(page, "builder-step-panel")));
      await visit(page, `${base}/connections`, "Connections");
      await page.getByRole("button", { name: "New connection", exact: true }).click();
      await page.getByLabel("Connection name", { exact: true }).waitFor();
      found.push(...(await scan(page, "connection-form")));
    } finally {
      await context.close();
    }

    // The demo workspace, as a visitor starts it from the landing page.
    const visitor = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 } });
    try {
      const page = await visitor.newPage();
      await page.goto("/");
      await page.getByRole("button", { name: "Try the demo", exact: true }).click();
      await page.waitForURL(/\/w\/demo-/);
      await page.getByText("This is a demo workspace").first().waitFor();
      await page.waitForLoadState("networkidle");
      found.push(...(await scan(page, "demo")));
    } finally {
      await visitor.close();
    }

    expect(found).toEqual([]);
  });
});
