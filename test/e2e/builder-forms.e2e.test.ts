// Issue 14, done with the mouse and keyboard: a published flow edited shows "Changes not published" and what
// changed; a viewer gets an explicit read-only builder; connection forms show only the fields their authentication
// uses, take a PostgreSQL URL that tests OK, and tie errors to their fields; the audit log's filters survive a reload.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callProcedure, launchBrowser, screenshot, signUpInBrowser } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const run = Date.now().toString(36);
const owner = { email: `forms-owner-${run}@example.com`, password: "amber willow lantern quartz" };
const viewer = { email: `forms-viewer-${run}@example.com`, password: "cobalt meadow parsnip violin" };

let browser: Browser;
let ownerContext: BrowserContext;
let page: Page;
let slug = "";
let workspaceId = "";
let flowId = "";

beforeAll(async () => {
  browser = await launchBrowser();
  ownerContext = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 } });
  page = await ownerContext.newPage();
  ({ slug, workspaceId } = await signUpInBrowser(page, owner));
  const created = await callProcedure(page, "flows.create", {
    workspaceId,
    name: "Order intake",
    graph: {
      version: 1,
      steps: [
        { id: "hook", type: "trigger.webhook", config: { path: `orders-${run}` }, position: { x: 0, y: 0 } },
        { id: "note", type: "util.log", config: { message: "order received" }, position: { x: 320, y: 0 } },
      ],
      edges: [{ from: "hook", to: "note", output: "out" }],
    },
  });
  flowId = created.body.result.data.json.id as string;
  const published = await callProcedure(page, "flows.publish", { workspaceId, flowId });
  expect(published.status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
});

async function openBuilder(on: Page) {
  await on.goto(`/w/${slug}/flows/${flowId}`);
  await on.getByTestId("step-note").waitFor();
}

describe("the builder and the forms", () => {
  it("shows 'Changes not published' after an edit and what changed against the running version", async () => {
    await openBuilder(page);
    const notPublished = page.getByRole("button", { name: "Changes not published", exact: true });
    await expect(notPublished.count()).resolves.toBe(0);

    await page.getByTestId("step-note").click();
    const message = page
      .getByRole("complementary", { name: "Panel", exact: true })
      .getByLabel("Message", { exact: true });
    await message.click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("order {{ id }} received");
    await page
      .getByTestId("save-state")
      .filter({ hasText: /^Saved$/ })
      .waitFor();
    await notPublished.waitFor();
    await screenshot(page, "forms-01-changes-not-published", { fullPage: false });

    await notPublished.click();
    const dialog = page.getByRole("dialog", { name: "Draft against version 1", exact: true });
    await dialog.waitFor();
    const changed = dialog.getByRole("region", { name: "Changed: Log (note)", exact: true });
    const row = changed.getByRole("row", { name: /Message/ });
    await row.getByText("order received", { exact: true }).waitFor();
    await row.getByText("order {{ id }} received", { exact: true }).waitFor();
    await screenshot(page, "forms-02-diff", { fullPage: false });
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });

    // Publishing makes the draft the running version: nothing left to publish.
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await page.getByText("Published version 2.").waitFor();
    await notPublished.waitFor({ state: "detached" });
  });

  it("gives a viewer a read-only builder: nothing moves, nothing is edited, and it says so", async () => {
    const invite = await callProcedure(page, "members.invite", { workspaceId, email: viewer.email, role: "viewer" });
    const link = invite.body.result.data.json.link as string;
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 } });
    try {
      const viewerPage = await context.newPage();
      await viewerPage.goto(link);
      await viewerPage.getByRole("link", { name: "Create an account to accept", exact: true }).click();
      await viewerPage.getByLabel("Password", { exact: true }).fill(viewer.password);
      await viewerPage.getByRole("button", { name: "Create account", exact: true }).click();
      await viewerPage.getByText("You are a viewer of this workspace.", { exact: true }).waitFor();

      await openBuilder(viewerPage);
      await viewerPage.getByRole("status").filter({ hasText: "Read only." }).waitFor();
      await expect(viewerPage.getByRole("complementary", { name: "Steps", exact: true }).count()).resolves.toBe(0);

      // Drag the step with the mouse: it stays where it was on the canvas.
      const node = viewerPage.getByTestId("step-note");
      const placed = viewerPage.locator('.react-flow__node[data-id="note"]');
      const before = await placed.evaluate((element) => (element as HTMLElement).style.transform);
      const box = await node.boundingBox();
      if (!box) throw new Error("the step is not on screen");
      await viewerPage.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await viewerPage.mouse.down();
      await viewerPage.mouse.move(box.x + 200, box.y + 150, { steps: 12 });
      await viewerPage.mouse.up();
      await expect(placed.evaluate((element) => (element as HTMLElement).style.transform)).resolves.toBe(before);
      await expect(placed.getAttribute("class")).resolves.not.toMatch(/draggable/);

      // The step opens read-only: its fields are disabled and typing changes nothing.
      await node.click();
      const panel = viewerPage.getByRole("complementary", { name: "Panel", exact: true });
      const message = panel.getByLabel("Message", { exact: true });
      await expect(message.isDisabled()).resolves.toBe(true);
      await message.click({ force: true });
      await viewerPage.keyboard.type("changed by a viewer");
      await expect(message.inputValue()).resolves.toBe("order {{ id }} received");
      await expect(panel.getByRole("button", { name: "Remove step", exact: true }).count()).resolves.toBe(0);

      // Delete and undo on the canvas do nothing either, and nothing is sent to be saved.
      await node.click();
      await viewerPage.keyboard.press("Delete");
      await viewerPage.keyboard.press("ControlOrMeta+Z");
      await node.waitFor();
      await expect(viewerPage.getByTestId("save-state").textContent()).resolves.toBe("Saved");
      await screenshot(viewerPage, "forms-03-viewer-read-only", { fullPage: false });
    } finally {
      await context.close();
    }
  });

  it("shows only the fields of the chosen authentication in a connection form", async () => {
    await page.goto(`/w/${slug}/connections`);
    await page.getByRole("button", { name: "New connection", exact: true }).click();
    await page.getByLabel("Kind", { exact: true }).selectOption({ label: "HTTP API" });
    const auth = page.getByLabel("Authentication", { exact: true });
    await expect(page.getByLabel("Bearer token", { exact: true }).count()).resolves.toBe(0);
    await expect(page.getByLabel("Username", { exact: true }).count()).resolves.toBe(0);

    await auth.focus();
    await auth.selectOption("basic");
    await page.getByLabel("Username", { exact: true }).waitFor();
    await page.getByLabel("Password", { exact: true }).waitFor();
    await expect(page.getByLabel("Bearer token", { exact: true }).count()).resolves.toBe(0);
    await expect(page.getByLabel("Header name", { exact: true }).count()).resolves.toBe(0);
    await screenshot(page, "forms-04-http-basic-auth");

    await auth.selectOption("bearer");
    await page.getByLabel("Bearer token", { exact: true }).waitFor();
    await expect(page.getByLabel("Username", { exact: true }).count()).resolves.toBe(0);
    await expect(page.getByLabel("Password", { exact: true }).count()).resolves.toBe(0);
    await page.getByRole("button", { name: "Cancel", exact: true }).click();
  });

  it("ties a connection form's error to its field, in words", async () => {
    await page.goto(`/w/${slug}/connections`);
    await page.getByRole("button", { name: "New connection", exact: true }).click();
    await page.getByLabel("Connection name", { exact: true }).fill("Orders database");
    await page.getByLabel("Kind", { exact: true }).selectOption({ label: "PostgreSQL" });
    await page.getByLabel("Database", { exact: true }).fill("orders");
    await page.getByLabel("User", { exact: true }).fill("app");
    await page.getByRole("button", { name: "Save connection", exact: true }).click();
    const host = page.getByLabel("Host", { exact: true });
    await expect.poll(() => host.getAttribute("aria-invalid"), { timeout: 15_000 }).toBe("true");
    const describedBy = await host.getAttribute("aria-describedby");
    expect(describedBy).toBeTruthy();
    const error = page.locator(`[id="${describedBy}"]`);
    await expect(error.textContent()).resolves.toBe("Enter the database server's host name.");
    await screenshot(page, "forms-05-error-on-its-field");
    await page.getByRole("button", { name: "Cancel", exact: true }).click();
  });

  it("saves a PostgreSQL connection given by URL, and it tests OK against the real database", async () => {
    // The test database is on loopback, which outbound calls refuse unless the workspace allows it.
    const allowed = await callProcedure(page, "settings.update", { workspaceId, allowedHosts: ["127.0.0.1"] });
    expect(allowed.status).toBe(200);
    await page.goto(`/w/${slug}/connections`);
    await page.getByRole("button", { name: "New connection", exact: true }).click();
    await page.getByLabel("Connection name", { exact: true }).fill("Local Postgres by URL");
    await page.getByLabel("Kind", { exact: true }).selectOption({ label: "PostgreSQL" });
    await page.getByLabel("Connect with", { exact: true }).selectOption("url");
    await expect(page.getByLabel("Host", { exact: true }).count()).resolves.toBe(0);
    await page.getByLabel("Connection URL", { exact: true }).click();
    await page.keyboard.type("postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable");
    await page.keyboard.press("Enter");
    const row = page.getByRole("row", { name: /Local Postgres by URL/ });
    await row.waitFor();
    await row.getByRole("button", { name: "Test connection", exact: true }).click();
    await row.getByText(/Works: PostgreSQL at 127\.0\.0\.1:5432 answered/).waitFor({ timeout: 30_000 });
    await screenshot(page, "forms-06-postgres-by-url-works");
  });

  it("names what changed in the audit log and keeps its action filter through a reload", async () => {
    await page.goto(`/w/${slug}/audit`);
    const events = page.getByRole("table", { name: "Audit events", exact: true });
    await events.getByText("Published the flow", { exact: true }).first().waitFor();
    await page.getByLabel("Action", { exact: true }).selectOption({ label: "Published the flow" });
    await page.waitForURL(/action=flow\.published/);
    await expect
      .poll(async () => (await events.locator("tbody tr").allTextContents()).every((t) => t.includes("Published")), {
        timeout: 10_000,
      })
      .toBe(true);
    await events.getByText("“Order intake”").first().waitFor();

    await page.reload();
    await expect(page.getByLabel("Action", { exact: true }).inputValue()).resolves.toBe("flow.published");
    await events.getByText("Published the flow", { exact: true }).first().waitFor();
    const rows = await events.locator("tbody tr").allTextContents();
    expect(rows.length).toBe(2);
    for (const text of rows) expect(text).toMatch(/Published the flow “Order intake” as version [12]/);
    await screenshot(page, "forms-07-audit-filtered");
  });
});
