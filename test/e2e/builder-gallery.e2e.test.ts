// Issue 14, done with the mouse and keyboard as a newcomer would: a type error in a code step shows in the
// editor and refuses the publish; a template found by searching becomes a draft that runs on its sample; the
// overview leads to failures and webhook URLs; runs filters survive a reload and back; a whole runs row opens the
// run; and the run page fits a 390-px phone.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callProcedure, launchBrowser, screenshot } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const run = Date.now().toString(36);
const user = { email: `gallery-${run}@example.com`, password: "copper meadow signal harbor" };

let browser: Browser;
let page: Page;
let slug = "";
let workspaceId = "";
/** The run of the template's draft, made in the gallery test and looked for in the runs tests. */
let templateRunId = "";
let failedRunId = "";

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  await page.goto("/signup");
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Create account", exact: true }).click();
  await page.waitForURL(/\/w\//);
  slug = new URL(page.url()).pathname.split("/")[2] ?? "";
  workspaceId = await page.evaluate(async (slug) => {
    const input = encodeURIComponent(JSON.stringify({ json: { slug } }));
    return (await (await fetch(`/api/trpc/workspaces.bySlug?input=${input}`)).json()).result.data.json.id;
  }, slug);
});
afterAll(async () => {
  await browser?.close();
});

const panel = () => page.getByRole("complementary", { name: "Panel", exact: true });

/** A tRPC query over GET from the page's session. */
async function query(path: string, input: unknown) {
  return page.evaluate(
    async ({ path, input }) => {
      const encoded = encodeURIComponent(JSON.stringify({ json: input }));
      return (await (await fetch(`/api/trpc/${path}?input=${encoded}`)).json()).result.data.json;
    },
    { path, input },
  );
}

describe("the builder's code steps, templates, overview and runs", () => {
  it("shows a type error in the code editor and refuses to publish it", async () => {
    const created = await callProcedure(page, "flows.create", {
      workspaceId,
      name: "Typed code",
      graph: {
        version: 1,
        steps: [
          { id: "start", type: "trigger.manual", config: {}, position: { x: 0, y: 0 } },
          {
            id: "calc",
            type: "code.typescript",
            config: { source: "export default (message: Message) => message.body;\n" },
            position: { x: 320, y: 0 },
          },
        ],
        edges: [{ from: "start", to: "calc", output: "out" }],
      },
    });
    const flowId = created.body.result.data.json.id as string;
    await page.goto(`/w/${slug}/flows/${flowId}`);
    await page.getByText("Valid", { exact: true }).waitFor();

    await page.getByTestId("step-calc").click();
    // Found as a person with a screen reader finds it: the field named by its label.
    const editor = panel().getByRole("textbox", { name: "Code", exact: true });
    await editor.click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.insertText('export default () => {\n  const x: number = "abc";\n  return { x };\n};\n');

    // The header counts it, the editor underlines it, and the field says where and what.
    await page.getByText("1 problem", { exact: true }).first().waitFor({ timeout: 20_000 });
    const underline = panel().locator(".cm-lintRange-error");
    await underline.first().waitFor();
    expect(await underline.first().textContent()).toBe("x");
    await panel().locator(".cm-lint-marker-error").first().waitFor();
    await panel().getByText(`line 2, column 9: Type 'string' is not assignable to type 'number'.`).waitFor();
    await underline.first().hover();
    await page.locator(".cm-tooltip-lint").getByText("Type 'string' is not assignable to type 'number'.").waitFor();
    await screenshot(page, "gallery-01-type-error-inline", { fullPage: false });

    await page.getByRole("button", { name: "Publish", exact: true }).click();
    const banner = page.getByRole("alert").filter({ hasText: "fix it to publish" });
    await banner.waitFor();
    expect(await banner.textContent()).toContain("Type 'string' is not assignable to type 'number'.");
    await screenshot(page, "gallery-02-publish-refused", { fullPage: false });
    expect((await query("flows.get", { workspaceId, flowId })).currentVersion).toBeNull();

    // Fixed with the keyboard: the underline goes and the flow publishes.
    await editor.click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.insertText("export default () => {\n  const x: number = 42;\n  return { x };\n};\n");
    await page.getByText("Valid", { exact: true }).waitFor({ timeout: 20_000 });
    await underline.first().waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await page.getByText("Published version 1.").waitFor();
  });

  it("leads from the overview to a template found by searching, which opens as a draft with its sample and runs", async () => {
    await page.goto(`/w/${slug}`);
    await page.getByRole("heading", { name: "Build a flow", exact: true }).waitFor();
    await page.getByRole("heading", { name: "Recent failures", exact: true }).waitFor();
    await page.getByRole("heading", { name: "Webhook URLs in use", exact: true }).waitFor();
    await screenshot(page, "gallery-03-overview-empty");
    await page.getByRole("link", { name: /Browse all \d+ templates/ }).click();
    await page.waitForURL(/\/flows\/templates/);
    const cards = page.getByRole("list", { name: "Templates", exact: true }).locator(":scope > li");
    await expect.poll(() => cards.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(12);

    await page.getByLabel("Search templates", { exact: true }).click();
    await page.keyboard.type("hl7 json");
    await expect.poll(() => cards.count(), { timeout: 15_000 }).toBe(1);
    await page.waitForURL(/search=hl7/);
    await cards.first().getByRole("heading", { name: "HL7 v2 → JSON", exact: true }).waitFor();
    await screenshot(page, "gallery-04-search-hl7");

    await page.getByRole("button", { name: "Use template HL7 v2 → JSON", exact: true }).click();
    await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
    await page.getByTestId("step-parse").waitFor();
    await page.getByText("Valid", { exact: true }).waitFor();
    await page.getByRole("tab", { name: "Test", exact: true }).click();
    const sample = page.getByLabel("Sample message body (JSON)", { exact: true });
    expect(await sample.inputValue()).toContain("MSH|^~\\\\&|ADMIT|HOSP");
    await page.getByTestId("sample-source").getByText("The sample pinned on “HL7 in”.", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Run test", exact: true }).click();
    await page.locator('[data-testid="step-answer"][data-run-state="succeeded"]').waitFor({ timeout: 30_000 });
    await panel().getByText('"patientId": "4711"').first().waitFor();
    await screenshot(page, "gallery-05-template-test-run", { fullPage: false });
    const href = await panel().getByRole("link", { name: "Open run", exact: true }).getAttribute("href");
    templateRunId = href?.split("/").pop() ?? "";
    expect(templateRunId).toMatch(/^[0-9a-f-]{36}$/);

    // The sample is pinned with the draft: a reload starts from it again.
    await page.reload();
    await page.getByRole("tab", { name: "Test", exact: true }).click();
    expect(await page.getByLabel("Sample message body (JSON)", { exact: true }).inputValue()).toContain("PID|1||4711");
    // The template's sample is the trigger's pin: the trigger's panel shows it pinned.
    await page.getByRole("tab", { name: "Step", exact: true }).click();
    await page.getByTestId("step-hl7").click();
    const triggerSample = panel().getByRole("region", { name: "Sample message", exact: true });
    await triggerSample.getByTestId("pinned-badge").waitFor();
    expect(await triggerSample.getByLabel("Sample message body (JSON)", { exact: true }).inputValue()).toContain(
      "MSH|^~\\\\&|ADMIT|HOSP",
    );
    await triggerSample.getByRole("tabpanel", { name: "Pinned sample", exact: true }).waitFor();
    await screenshot(page, "gallery-05a-template-sample-pinned-on-trigger", { fullPage: false });
  });

  it("shows recent failures and webhook URLs on the overview, each a link", async () => {
    const created = await callProcedure(page, "flows.create", {
      workspaceId,
      name: "Always fails",
      graph: {
        version: 1,
        steps: [
          { id: "start", type: "trigger.manual", config: {}, position: { x: 0, y: 0 } },
          {
            id: "refuse-with-a-rather-long-step-id",
            type: "data.transform",
            config: {
              expression: `$error('the price list at ${"https://prices.example.com/lists/2026/".padEnd(200, "x")} is gone')`,
            },
            position: { x: 320, y: 0 },
          },
        ],
        edges: [{ from: "start", to: "refuse-with-a-rather-long-step-id", output: "out" }],
      },
    });
    const flowId = created.body.result.data.json.id as string;
    const started = await callProcedure(page, "runs.start", { workspaceId, flowId, body: { id: "A-1" }, test: true });
    failedRunId = started.body.result.data.json.runId as string;

    await page.goto(`/w/${slug}`);
    const failure = page.getByRole("link", { name: /Always fails/ });
    await failure.waitFor({ timeout: 30_000 });
    await page.getByText(/hooks-test\/[^/]+\/hl7-to-json/).waitFor();
    await screenshot(page, "gallery-06-overview");
    await failure.click();
    await page.waitForURL(new RegExp(`/runs/${failedRunId}$`));
    await page.getByText(/refuse-with-a-rather-long-step-id failed/).waitFor();
  });

  it("keeps the runs filters in the address through a reload and back, and opens a run by its whole row", async () => {
    await page.goto(`/w/${slug}/runs`);
    await page.getByLabel(/^Status/).selectOption("succeeded");
    await page.getByLabel("Run or message id", { exact: true }).click();
    await page.keyboard.type(templateRunId);
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.searchParams.get("id") === templateRunId);
    expect(new URL(page.url()).searchParams.get("status")).toBe("succeeded");
    const rows = page.locator("tbody tr").filter({ has: page.getByRole("link", { name: /^Run / }) });
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);

    await page.reload();
    await expect.poll(() => page.getByLabel(/^Status/).inputValue()).toBe("succeeded");
    expect(await page.getByLabel("Run or message id", { exact: true }).inputValue()).toBe(templateRunId);
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    await screenshot(page, "gallery-07-runs-filtered-after-reload");

    // A click with the mouse on the flow's name, not on the status link, opens the run.
    const name = await rows.first().getByText("HL7 v2 → JSON", { exact: true }).boundingBox();
    if (!name) throw new Error("the flow's name is not on screen");
    await page.mouse.click(name.x + name.width / 2, name.y + name.height / 2);
    await page.waitForURL(new RegExp(`/runs/${templateRunId}$`));
    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get("id") === templateRunId);
    await expect.poll(() => page.getByLabel("Run or message id", { exact: true }).inputValue()).toBe(templateRunId);
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);

    // With the keyboard: Tab from the last filter control reaches the row; Enter opens it.
    await page.getByRole("button", { name: "Clear", exact: true }).focus();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toMatch(/^Run .*succeeded/);
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`/runs/${templateRunId}$`));

    // The run id is what a webhook's caller gets: it finds the run on its own, and so does the message id.
    await page.goto(`/w/${slug}/runs?id=${failedRunId}`);
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    await rows
      .first()
      .getByRole("link", { name: /failed/ })
      .waitFor();
  });

  it("fits the run page into a 390×844 phone, statuses and the error in view", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [runId, status] of [
      [failedRunId, "failed"],
      [templateRunId, "succeeded"],
    ] as const) {
      await page.goto(`/w/${slug}/runs/${runId}`);
      await page.getByRole("heading", { name: "Steps", exact: true }).waitFor();
      await page.locator(".react-flow__node").first().waitFor();
      const width = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY);
      await screenshot(page, `gallery-08-phone-run-${status}`);
      expect(width).toBeLessThanOrEqual(390);
      const badge = page.getByText(status, { exact: true }).first();
      const box = await badge.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    }
    const error = page.getByRole("alert").filter({ hasText: "is gone" }).first();
    await page.goto(`/w/${slug}/runs/${failedRunId}`);
    await error.waitFor();
    const box = await error.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    await page.setViewportSize({ width: 1440, height: 900 });
  });
});
