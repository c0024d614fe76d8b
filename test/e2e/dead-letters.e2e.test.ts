// Dead letters as their user sees them: messages from a RabbitMQ queue whose runs failed are listed on the flow's
// Dead letters page with their body and error; after a fix is published, one is replayed with the mouse and
// its replay succeeds.
import { randomBytes } from "node:crypto";
import { connect as amqpConnect, type Channel, type ChannelModel } from "amqplib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callProcedure, launchBrowser, screenshot } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const user = {
  email: `dead-letters-${Date.now().toString(36)}@example.com`,
  password: "amber willow lantern quartz",
};
const queue = `trb-e2e-dl-${randomBytes(4).toString("hex")}`;

let browser: Browser;
let page: Page;
let broker: ChannelModel;
let channel: Channel;

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  broker = await amqpConnect("amqp://guest:guest@127.0.0.1:5672");
  channel = await broker.createChannel();
  await channel.assertQueue(queue, { durable: false });
});
afterAll(async () => {
  await channel?.deleteQueue(queue).catch(() => undefined);
  await broker?.close();
  await browser?.close();
});

const graphWith = (connectionId: string, expression: string) => ({
  version: 1,
  steps: [
    { id: "orders", type: "amqp.consume", config: { connectionId, queue }, position: { x: 0, y: 0 } },
    { id: "price", type: "data.transform", config: { expression }, position: { x: 260, y: 0 } },
  ],
  edges: [{ from: "orders", to: "price", output: "out" }],
});

describe("dead letters", () => {
  it("lists failed queue messages with their error, and replays one on the fixed version", async () => {
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
      config: { host: "127.0.0.1", port: 5672, username: "guest", password: "guest" },
    });
    const connectionId = connection.body.result.data.json.id as string;
    // Version 1 fails on every message: the price it needs is not there.
    const created = await callProcedure(page, "flows.create", {
      workspaceId,
      name: "Priced orders",
      graph: graphWith(connectionId, "$exists(price) ? { 'total': price * qty } : $error('The order has no price.')"),
    });
    const flowId = created.body.result.data.json.id as string;
    await callProcedure(page, "flows.publish", { workspaceId, flowId });

    // The Flows list searches on the server.
    await page.goto(`/w/${slug}/flows`);
    await page.getByLabel("Search flows", { exact: true }).fill("no such flow");
    await page.getByText("No flow matches “no such flow”.", { exact: true }).waitFor();
    await page.getByLabel("Search flows", { exact: true }).fill("PRICED");
    await page.getByRole("link", { name: "Priced orders", exact: true }).waitFor();
    await page.getByRole("link", { name: "Dead letters", exact: true }).click();
    await page.getByRole("heading", { name: "Dead letters — Priced orders", exact: true }).waitFor();
    // The queue's consumer starts within a sync of the worker; messages sent before it wait on the queue.
    for (const [n, body] of [
      { id: "A-1", cost: 3, qty: 2 },
      { id: "A-2", cost: 5, qty: 1 },
    ].entries()) {
      channel.sendToQueue(queue, Buffer.from(JSON.stringify(body)), {
        contentType: "application/json",
        messageId: `e2e-${n}`,
      });
    }
    const rows = page.getByRole("row").filter({ hasText: "The order has no price." });
    await expect.poll(() => rows.count(), { timeout: 60_000, interval: 500 }).toBe(2);
    await page.getByRole("tab", { name: "Open (2)", exact: true }).waitFor();
    await page.getByText('"id":"A-1"').waitFor();
    await screenshot(page, "dead-letters-01-open", { fullPage: false });

    // The fix, published as version 2 (the body calls the price "cost").
    const flow = await page.evaluate(
      async ({ workspaceId, flowId }) => {
        const input = encodeURIComponent(JSON.stringify({ json: { workspaceId, flowId } }));
        return (await (await fetch(`/api/trpc/flows.get?input=${input}`)).json()).result.data.json;
      },
      { workspaceId, flowId },
    );
    await callProcedure(page, "flows.saveDraft", {
      workspaceId,
      flowId,
      graph: graphWith(connectionId, "{ 'id': id, 'total': cost * qty }"),
      baseRevision: flow.draftRevision,
    });
    const published = await callProcedure(page, "flows.publish", { workspaceId, flowId });
    expect(published.status).toBe(200);

    await rows
      .filter({ hasText: '"id":"A-1"' })
      .getByRole("button", { name: /^Replay the message/ })
      .click();
    await page.getByRole("tab", { name: "Open (1)", exact: true }).waitFor({ timeout: 30_000 });
    await page.getByRole("tab", { name: "Replayed (1)", exact: true }).click();
    await page.getByRole("link", { name: "replay succeeded", exact: true }).waitFor({ timeout: 60_000 });
    await screenshot(page, "dead-letters-02-replayed", { fullPage: false });
    await page.getByRole("link", { name: "replay succeeded", exact: true }).click();
    await page.waitForURL(/\/runs\//);
  });
});
