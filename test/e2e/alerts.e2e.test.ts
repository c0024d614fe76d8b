// Alerts in the browser: a user opens Alerts from the navigation, creates a webhook rule for a flow with the
// keyboard and the mouse, copies its signing secret, sends a test alert, then a run fails: the alert reaches a
// real HTTP receiver, signed (Standard Webhooks), and its link opens the failed run.
import type { Browser, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callProcedure, launchBrowser, screenshot } from "../support/browser.ts";
import { type HttpTarget, json, type Received, startHttpTarget } from "../support/http-target.ts";

const baseUrl = inject("baseUrl");
const user = { email: `alerts-${Date.now().toString(36)}@example.com`, password: "amber willow lantern quartz" };

let browser: Browser;
let page: Page;
let receiver: HttpTarget;

beforeAll(async () => {
  receiver = await startHttpTarget();
  receiver.route("/alerts", (_request, response) => json(response, 200, { ok: true }));
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await receiver?.close();
});

type Payload = { type: string; data: { kind: string; link: string; run: { id: string } | null } };

function verified(request: Received, secret: string): Payload {
  const headers = Object.fromEntries(
    ["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => [name, String(request.headers[name])]),
  );
  return new Webhook(secret).verify(request.body, headers) as Payload;
}

async function nextAlert(count: number): Promise<Received> {
  await expect.poll(() => receiver.received.length, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(count);
  return receiver.received[count - 1] as Received;
}

describe("alerts", () => {
  it("creates a webhook alert rule in the UI, and a failed run's alert links to the run", async () => {
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
    // The receiver is on loopback, a private address: the workspace allows it, as a self-hosted one would.
    await callProcedure(page, "settings.update", { workspaceId, allowedHosts: ["127.0.0.1"] });
    const created = await callProcedure(page, "flows.create", {
      workspaceId,
      name: "Payments",
      graph: {
        version: 1,
        steps: [
          { id: "start", type: "trigger.manual", config: {}, position: { x: 0, y: 0 } },
          {
            id: "charge",
            type: "data.transform",
            config: { expression: "$error('card declined')" },
            position: { x: 260, y: 0 },
          },
        ],
        edges: [{ from: "start", to: "charge", output: "out" }],
      },
    });
    const flowId = created.body.result.data.json.id as string;
    await callProcedure(page, "flows.publish", { workspaceId, flowId });

    await page
      .getByRole("navigation", { name: "Workspace", exact: true })
      .getByRole("link", { name: "Alerts", exact: true })
      .click();
    await page.getByRole("heading", { name: "Alerts", exact: true }).waitFor();
    await page.getByText("No alert rules yet").waitFor();
    await page.getByRole("button", { name: "New alert rule", exact: true }).click();
    await page.getByLabel("Name", { exact: true }).click();
    await page.keyboard.type("Payments to the pager");
    await page.getByLabel("Flow", { exact: true }).selectOption({ label: "Payments" });
    await page.getByLabel("When", { exact: true }).selectOption("run_failed");
    await page.getByLabel("Tell", { exact: true }).selectOption("webhook");
    await page.getByLabel("Webhook URL", { exact: true }).click();
    await page.keyboard.type(`${receiver.url}/alerts`);
    await page.keyboard.press("Enter");
    const secret = (await page.getByTestId("shown-secret").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^whsec_/);
    await screenshot(page, "alerts-01-created", { fullPage: false });
    await page.getByRole("button", { name: "Done", exact: true }).click();
    const rules = page.getByRole("table", { name: "Alert rules", exact: true });
    await rules.getByText("Payments to the pager", { exact: true }).waitFor();

    await page.getByRole("button", { name: "Send a test alert for Payments to the pager", exact: true }).click();
    const test = verified(await nextAlert(1), secret);
    expect(test).toMatchObject({ type: "alert.test", data: { kind: "test" } });
    const recent = page.getByRole("table", { name: "Recent alerts", exact: true });
    await recent.getByText("sent", { exact: true }).first().waitFor({ timeout: 30_000 });

    const started = await callProcedure(page, "runs.start", { workspaceId, flowId, body: { order: 42 } });
    const runId = started.body.result.data.json.runId as string;
    const alert = verified(await nextAlert(2), secret);
    expect(alert).toMatchObject({ type: "alert.run_failed", data: { kind: "alert", run: { id: runId } } });
    await recent.getByRole("link", { name: "Open run", exact: true }).waitFor({ timeout: 30_000 });
    await screenshot(page, "alerts-02-delivered", { fullPage: false });

    // A new signing secret from the rule's form: shown once, and the next alert is signed with it alone.
    await page.getByRole("button", { name: "Change Payments to the pager", exact: true }).click();
    await page.getByLabel("Make a new signing secret").check();
    await page.getByRole("button", { name: "Save rule", exact: true }).click();
    const rotated = (await page.getByTestId("shown-secret").textContent())?.trim() ?? "";
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await page.getByRole("button", { name: "Done", exact: true }).click();
    await page.getByRole("button", { name: "Send a test alert for Payments to the pager", exact: true }).click();
    const signedAnew = await nextAlert(3);
    expect(verified(signedAnew, rotated)).toMatchObject({ type: "alert.test" });
    expect(() => verified(signedAnew, secret)).toThrow();

    await page.goto(alert.data.link);
    await page.waitForURL(new RegExp(`/w/${slug}/runs/${runId}$`));
    await page.getByText("card declined").first().waitFor();
    await screenshot(page, "alerts-03-run", { fullPage: false });
  });
});
