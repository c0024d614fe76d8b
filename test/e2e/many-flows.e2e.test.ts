// A workspace with more flows than a list shows: the alert rule's flow and the Runs filter find any of them by
// name. The flows are made through the API (they are the setting, not what is tested); the user types and
// chooses in the browser.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callProcedure, launchBrowser, screenshot, signUpInBrowser } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const user = { email: `many-flows-${Date.now().toString(36)}@example.com`, password: "amber willow lantern quartz" };
const FLOWS = 105;
const nameOf = (n: number) => `Flow ${String(n).padStart(3, "0")}`;

let browser: Browser;
let page: Page;
let slug = "";
const flowIds = new Map<string, string>();

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  const workspace = await signUpInBrowser(page, user);
  slug = workspace.slug;
  for (let n = 1; n <= FLOWS; n++) {
    const created = await callProcedure(page, "flows.create", { workspaceId: workspace.workspaceId, name: nameOf(n) });
    flowIds.set(nameOf(n), created.body.result.data.json.id as string);
  }
});
afterAll(async () => {
  await browser?.close();
});

describe("a workspace with many flows", () => {
  it("finds a flow beyond the first hundred for an alert rule, by typing part of its name", async () => {
    await page.goto(`/w/${slug}/alerts`);
    await page.getByRole("button", { name: "New alert rule", exact: true }).click();
    const flow = page.getByLabel("Flow", { exact: true });
    await expect.poll(() => flow.locator("option").count()).toBe(101);
    await page.getByLabel("Find the rule's flow", { exact: true }).click();
    await page.keyboard.type("104");
    await expect
      .poll(() => flow.locator("option").allTextContents())
      .toEqual(["All flows (the workspace's default)", nameOf(104)]);
    await flow.selectOption({ label: nameOf(104) });
    await page.getByLabel("Name", { exact: true }).click();
    await page.keyboard.type("Late flow's failures");
    await page.getByLabel("Recipients", { exact: true }).fill(user.email);
    await screenshot(page, "many-flows-01-alert-rule", { fullPage: false });
    await page.getByRole("button", { name: "Create rule", exact: true }).click();
    const rules = page.getByRole("table", { name: "Alert rules", exact: true });
    await rules.getByText(`Flow "${nameOf(104)}"`, { exact: true }).waitFor();
  });

  it("filters runs by a flow beyond the first hundred", async () => {
    await page.goto(`/w/${slug}/runs`);
    const flow = page.getByLabel("Flow", { exact: true });
    await page.getByLabel("Find a flow to filter by", { exact: true }).fill("Flow 103");
    await expect.poll(() => flow.locator("option").allTextContents()).toEqual(["All flows", nameOf(103)]);
    await flow.selectOption({ label: nameOf(103) });
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    await page.waitForURL(new RegExp(`flowId=${flowIds.get(nameOf(103))}`));
    // The chosen flow stays chosen when the search is cleared and the list shows the first hundred again.
    await page.getByLabel("Find a flow to filter by", { exact: true }).fill("");
    await expect.poll(() => flow.inputValue()).toBe(flowIds.get(nameOf(103)));
    await screenshot(page, "many-flows-02-runs-filter", { fullPage: false });
  });
});
