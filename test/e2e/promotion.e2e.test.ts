// Promotion in the browser: an owner imports and publishes a flow in a test workspace, allows a private host,
// makes a Slack alert rule for the flow, downloads the workspace's bundle from Settings, creates a production
// workspace, picks the bundle there, reads the dry run (what would be created or changed, nothing yet, the alert
// rule's URL to set by hand), imports it, and finds the flow published and the alert rule waiting for its URL.
import { writeFileSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, screenshot } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const run = Date.now().toString(36);
const owner = { email: `promote-${run}@example.com`, password: "harbor cedar lantern meadow" };
const flowName = `Greet ${run}`;

let browser: Browser;
let page: Page;
let dir: string;

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  page = await context.newPage();
  dir = await mkdtemp(join(tmpdir(), "tributary-promotion-e2e-"));
});
afterAll(async () => {
  await browser?.close();
});

describe("promoting a workspace in the browser", () => {
  it("downloads a bundle from one workspace and imports it into another after a dry run", async () => {
    await page.goto("/signup");
    await page.getByLabel("Email", { exact: true }).fill(owner.email);
    await page.getByLabel("Password", { exact: true }).fill(owner.password);
    await page.getByRole("button", { name: "Create account", exact: true }).click();
    await page.waitForURL(/\/w\/[^/]+$/);
    const testSlug = new URL(page.url()).pathname.split("/")[2] ?? "";

    // A flow in the test workspace, published.
    const flowFile = join(dir, "greet.flow.json");
    writeFileSync(
      flowFile,
      JSON.stringify({
        format: "tributary.flow",
        name: flowName,
        description: "Says hello",
        graph: {
          version: 1,
          steps: [
            { id: "start", type: "trigger.manual", config: {} },
            { id: "greet", type: "data.transform", config: { expression: "{ 'hello': name }" } },
          ],
          edges: [{ from: "start", to: "greet", output: "out" }],
        },
      }),
    );
    await page.goto(`/w/${testSlug}/flows`);
    await page.getByLabel("Flow file to import", { exact: true }).setInputFiles(flowFile);
    await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await page.getByText("Published version 1").waitFor();

    await page.goto(`/w/${testSlug}/alerts`);
    await page.getByRole("button", { name: "New alert rule", exact: true }).click();
    await page.getByLabel("Name", { exact: true }).fill("Failures to Slack");
    await page.getByLabel("Flow", { exact: true }).selectOption({ label: flowName });
    await page.getByLabel("When", { exact: true }).selectOption("run_failed");
    await page.getByLabel("Tell", { exact: true }).selectOption("slack");
    await page
      .getByLabel("Slack webhook URL", { exact: true })
      .fill("https://hooks.slack.com/services/T0/B0/e2e-only-token");
    await page.getByLabel("Slack webhook URL", { exact: true }).press("Enter");
    await page
      .getByRole("table", { name: "Alert rules", exact: true })
      .getByText("Failures to Slack", { exact: true })
      .waitFor();

    await page.goto(`/w/${testSlug}/settings`);
    await page.getByLabel("Add a host", { exact: true }).fill("10.20.0.0/16");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page
      .getByRole("list", { name: "Allowed hosts", exact: true })
      .getByText("10.20.0.0/16", { exact: true })
      .waitFor();

    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download bundle", exact: true }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`${testSlug}-bundle.json`);
    const bundlePath = join(dir, download.suggestedFilename());
    await download.saveAs(bundlePath);
    const bundle = JSON.parse(await readFile(bundlePath, "utf8"));
    expect(bundle).toMatchObject({
      format: "tributary.workspace-bundle",
      settings: { allowedHosts: ["10.20.0.0/16"] },
      flows: [{ name: flowName, published: { version: 1 } }],
      alertRules: [{ name: "Failures to Slack", flow: flowName, channel: "slack" }],
    });
    expect(JSON.stringify(bundle)).not.toContain("e2e-only-token");

    // The production workspace.
    await page.getByRole("button", { name: /Switch workspace/ }).click();
    await page.getByRole("menuitem", { name: "+ Create workspace", exact: true }).click();
    await page.waitForURL(/\/workspaces\/new$/);
    await page.getByLabel("Name", { exact: true }).fill(`Production ${run}`);
    await page.getByRole("button", { name: "Create workspace", exact: true }).click();
    await page.waitForURL((url) => /^\/w\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith(`/${testSlug}`), {
      timeout: 60_000,
    });
    const productionSlug = new URL(page.url()).pathname.split("/")[2] ?? "";

    await page.goto(`/w/${productionSlug}/settings`);
    await page.getByLabel("Bundle file", { exact: true }).setInputFiles(bundlePath);
    const plan = page.getByRole("region", { name: "Import plan", exact: true });
    await plan.getByText(`Importing ${download.suggestedFilename()} would:`, { exact: true }).waitFor();
    const row = (name: string) => plan.getByRole("row").filter({ hasText: name });
    await expect(row(flowName).textContent()).resolves.toContain("Will create");
    await expect(row("Workspace settings").textContent()).resolves.toContain("Will change");
    const alertRow = await row("Failures to Slack").textContent();
    expect(alertRow).toContain("Will create");
    expect(alertRow).toContain("Disabled until its Slack webhook URL is set (it went to https://hooks.slack.com/…)");
    await screenshot(page, "promotion-01-dry-run");
    // Nothing is imported by the dry run.
    await expect(page.getByRole("list", { name: "Allowed hosts", exact: true }).count()).resolves.toBe(0);

    await plan.getByRole("button", { name: "Import", exact: true }).click();
    const done = page.getByRole("region", { name: "Import result", exact: true });
    await done.getByText(`Imported ${download.suggestedFilename()}:`, { exact: true }).waitFor();
    await expect(done.getByRole("row").filter({ hasText: flowName }).textContent()).resolves.toContain("Created");
    await page
      .getByRole("list", { name: "Allowed hosts", exact: true })
      .getByText("10.20.0.0/16", { exact: true })
      .waitFor();
    await screenshot(page, "promotion-02-imported");

    await page.goto(`/w/${productionSlug}/flows`);
    const flowRow = page.getByRole("row").filter({ hasText: flowName });
    await flowRow.waitFor();
    await expect(flowRow.textContent()).resolves.toMatch(/v1|active/i);

    await page.goto(`/w/${productionSlug}/alerts`);
    const ruleRow = page
      .getByRole("table", { name: "Alert rules", exact: true })
      .getByRole("row")
      .filter({ hasText: "Failures to Slack" });
    await ruleRow.waitFor();
    await expect(ruleRow.textContent()).resolves.toMatch(/disabled[\s\S]*No URL yet: edit the rule to set it/);
  });
});
