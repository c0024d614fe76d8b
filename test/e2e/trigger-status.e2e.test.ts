// A queue trigger that cannot reach its broker, as its user sees it: the Flows list and the flow's page show it
// failing, with the broker's error and when.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import { callProcedure, launchBrowser, screenshot } from "../support/browser.ts";
import { freePort } from "../support/free-port.ts";

const baseUrl = inject("baseUrl");
const user = {
  email: `trigger-status-${Date.now().toString(36)}@example.com`,
  password: "amber willow lantern quartz",
};

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

describe("trigger status", () => {
  it("shows a queue trigger failing, with its last error, on the Flows list and the flow's page", async () => {
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
    await callProcedure(page, "settings.update", { workspaceId, allowedHosts: ["127.0.0.1"] });
    const connection = await callProcedure(page, "connections.save", {
      workspaceId,
      name: "Broker",
      type: "amqp",
      config: { host: "127.0.0.1", port: await freePort(), username: "guest", password: "guest" },
    });
    const created = await callProcedure(page, "flows.create", {
      workspaceId,
      name: "Orders queue",
      graph: {
        version: 1,
        steps: [
          {
            id: "orders",
            type: "amqp.consume",
            config: { connectionId: connection.body.result.data.json.id, queue: "orders" },
            position: { x: 0, y: 0 },
          },
          { id: "log", type: "util.log", config: { message: "got it" }, position: { x: 260, y: 0 } },
        ],
        edges: [{ from: "orders", to: "log", output: "out" }],
      },
    });
    const flowId = created.body.result.data.json.id as string;
    await callProcedure(page, "flows.publish", { workspaceId, flowId });

    await page.goto(`/w/${slug}/flows`);
    await page
      .getByTestId("trigger-status")
      .filter({ hasText: /failing \(\d+ failures\)/ })
      .waitFor({ timeout: 45_000 });
    await page
      .getByTestId("trigger-status")
      .filter({ hasText: /Error at .+: .+/ })
      .waitFor();
    await screenshot(page, "trigger-status-01-flows", { fullPage: false });

    await page.getByRole("link", { name: "Orders queue", exact: true }).click();
    const header = page.getByRole("region", { name: "Trigger status", exact: true });
    await header.getByText(/failing/).waitFor();
    await screenshot(page, "trigger-status-02-flow", { fullPage: false });
  });
});
