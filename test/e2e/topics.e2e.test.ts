// Topics configured in the builder as an integration engineer would: one flow subscribes to a topic with a
// Topic trigger, another publishes to it from a webhook; a call to the webhook becomes a run of the subscriber,
// and the Topics page lists the topic with its subscriber.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, screenshot } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const run = Date.now().toString(36);
const user = { email: `topics-${run}@example.com`, password: "amber willow lantern quartz" };

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
});

/** Makes a flow and opens it in the builder with `trigger` dropped on the canvas. */
async function newFlowWithTrigger(slug: string, name: string, trigger: string) {
  await page.goto(`/w/${slug}/flows`);
  await page.getByRole("button", { name: "New flow", exact: true }).click();
  await page.getByLabel("Flow name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Create and open", exact: true }).click();
  await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
  const pane = await page.locator(".react-flow__pane").boundingBox();
  if (!pane) throw new Error("no canvas");
  const dataTransfer = await page.evaluateHandle(() => new DataTransfer());
  const at = { clientX: pane.x + 160, clientY: pane.y + 210 };
  await page.getByRole("button", { name: trigger, exact: true }).dispatchEvent("dragstart", { dataTransfer });
  await page.locator(".react-flow__pane").dispatchEvent("dragover", { dataTransfer, ...at });
  await page.locator(".react-flow__pane").dispatchEvent("drop", { dataTransfer, ...at });
}

async function publish() {
  await page
    .getByTestId("save-state")
    .filter({ hasText: /^Saved$/ })
    .waitFor();
  await page.getByText("Valid", { exact: true }).waitFor();
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await page.getByText("Published version 1").waitFor();
}

describe("topics built in the browser", () => {
  it("subscribes one flow, publishes from another, and shows the topic and the delivered run", async () => {
    await page.goto("/signup");
    await page.getByLabel("Email", { exact: true }).fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    await page.getByRole("button", { name: "Create account", exact: true }).click();
    await page.waitForURL(/\/w\//);
    const slug = new URL(page.url()).pathname.split("/")[2] ?? "";

    await newFlowWithTrigger(slug, "Order events", "Topic");
    await page.getByLabel("Topic", { exact: true }).fill("orders.created");
    await page.getByLabel("Keep order per key", { exact: true }).check();
    await page.getByRole("button", { name: "Log", exact: true }).click();
    await page.getByLabel("Message", { exact: true }).fill("Order {{ id }}");
    await screenshot(page, "topics-01-subscriber", { fullPage: false });
    await publish();

    await newFlowWithTrigger(slug, "Shop orders", "Webhook");
    await page.getByLabel("Path", { exact: true }).fill("orders");
    await page.getByRole("button", { name: "Publish to topic", exact: true }).click();
    await page.getByLabel("Topic", { exact: true }).fill("orders.created");
    await page.getByLabel("Ordering key", { exact: true }).fill("{{ customer }}");
    await screenshot(page, "topics-02-publisher", { fullPage: false });
    await publish();

    const response = await fetch(`${baseUrl}/hooks/${slug}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "A-7", customer: "C-9" }),
    });
    expect(response.status).toBe(202);

    // The subscriber's run follows the publisher's within moments; the Runs page is read again until it shows.
    for (let attempt = 0; attempt < 30; attempt++) {
      await page.goto(`/w/${slug}/runs`);
      await page.getByRole("cell", { name: "Shop orders" }).first().waitFor();
      if (await page.getByRole("cell", { name: "Order events" }).count()) break;
      await page.waitForTimeout(1000);
    }
    await page.getByRole("cell", { name: "Order events" }).first().waitFor({ timeout: 1000 });
    await page.goto(`/w/${slug}/topics`);
    await page.getByRole("cell", { name: "orders.created", exact: true }).waitFor();
    await page.getByRole("link", { name: "Order events", exact: true }).waitFor();
    await screenshot(page, "topics-03-topics-page");
  }, 120_000);
});
