// Bugs a first-time user hit in the builder within minutes (issue 14), done again with the mouse and keyboard:
// deleting an edge, the selection after deleting a step, the banner of a refused publish, a failed reload, an
// edit made just before leaving, and a panel that left the canvas little room.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callProcedure, launchBrowser, screenshot } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const run = Date.now().toString(36);
const user = { email: `builder-bugs-${run}@example.com`, password: "amber willow lantern quartz" };

let browser: Browser;
let page: Page;
let slug = "";
let workspaceId = "";

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

/** Makes a flow of a trigger ("hook": a webhook unless given) connected to a transform, and opens it in the builder. */
async function openFlow(
  name: string,
  expression: string,
  trigger: { type: string; config: Record<string, unknown> } = {
    type: "trigger.webhook",
    config: { path: name.toLowerCase() },
  },
) {
  const created = await callProcedure(page, "flows.create", {
    workspaceId,
    name,
    graph: {
      version: 1,
      steps: [
        { id: "hook", ...trigger, position: { x: 0, y: 0 } },
        { id: "shape", type: "data.transform", config: { expression }, position: { x: 320, y: 0 } },
      ],
      edges: [{ from: "hook", to: "shape", output: "out" }],
    },
  });
  const flowId = created.body.result.data.json.id as string;
  await page.goto(`/w/${slug}/flows/${flowId}`);
  await page.getByTestId("step-shape").waitFor();
  await page.locator(".react-flow__edge").first().waitFor();
}

async function waitSaved() {
  await page
    .getByTestId("save-state")
    .filter({ hasText: /^Saved$/ })
    .waitFor();
}

describe("the builder, clicked through as a newcomer would", () => {
  it("selects an edge by clicking it and deletes it with Delete; it stays deleted after a reload", async () => {
    await openFlow("Edges", "$");
    const edge = page.locator(".react-flow__edge");
    await expect.poll(() => edge.count(), { timeout: 10_000 }).toBe(1);
    await edge.first().click();
    await page.locator(".react-flow__edge.selected").waitFor();
    await screenshot(page, "bugs-01-edge-selected", { fullPage: false });
    await page.keyboard.press("Delete");
    await edge.first().waitFor({ state: "detached" });
    // Both steps are still there: only the edge went.
    await page.getByTestId("step-hook").waitFor();
    await page.getByTestId("step-shape").waitFor();
    await waitSaved();

    await page.reload();
    await page.getByTestId("step-shape").waitFor();
    await expect(page.locator(".react-flow__edge").count()).resolves.toBe(0);

    // Backspace does the same for an edge drawn anew.
    await page.getByTestId("step-hook").click();
    await page.getByRole("button", { name: "Log", exact: true }).click();
    await page.getByTestId("step-log").waitFor();
    await expect.poll(() => edge.count(), { timeout: 10_000 }).toBe(1);
    await edge.first().click();
    await page.locator(".react-flow__edge.selected").waitFor();
    await page.keyboard.press("Backspace");
    await edge.first().waitFor({ state: "detached" });
    await page.getByTestId("step-log").waitFor();
  });

  it("deletes a connected step with Delete, and one undo brings it back with its edge", async () => {
    await openFlow("Undo", "$");
    await page.getByTestId("step-shape").click();
    await page.keyboard.press("Delete");
    await page.getByTestId("step-shape").waitFor({ state: "detached" });
    await expect.poll(() => page.locator(".react-flow__edge").count(), { timeout: 10_000 }).toBe(0);

    await page.keyboard.press("Control+z");
    await page.getByTestId("step-shape").waitFor();
    await expect.poll(() => page.locator(".react-flow__edge").count(), { timeout: 10_000 }).toBe(1);
    await page.getByText("Valid", { exact: true }).waitFor();
    await screenshot(page, "bugs-01b-undo-delete", { fullPage: false });

    // And one redo takes both away again.
    await page.keyboard.press("Control+Shift+z");
    await page.getByTestId("step-shape").waitFor({ state: "detached" });
    await expect.poll(() => page.locator(".react-flow__edge").count(), { timeout: 10_000 }).toBe(0);
  });

  it("draws an If / else with its true and false outputs, and the edge leaving one of them", async () => {
    await openFlow("Branches", "$");
    await page.getByTestId("step-shape").click();
    await page.getByRole("button", { name: "If / else", exact: true }).click();
    const branch = page.getByTestId("step-branch");
    await branch.getByText("true", { exact: true }).waitFor();
    await branch.getByText("false", { exact: true }).waitFor();
    // A step added after the branch hangs from its first output, "true": the edge is drawn.
    await page.getByRole("button", { name: "Log", exact: true }).click();
    await page.getByTestId("step-log").waitFor();
    await expect.poll(() => page.locator(".react-flow__edge").count(), { timeout: 10_000 }).toBe(3);
    await screenshot(page, "bugs-01c-branch-outputs", { fullPage: false });
  });

  it("sets a Switch's cases row by row, a name and a condition each, and draws each case as an output", async () => {
    await openFlow("Cases", "$");
    await page.getByTestId("step-shape").click();
    await page.getByRole("button", { name: "Switch", exact: true }).click();
    const cases = page.getByRole("group", { name: "Cases" });
    await cases.getByRole("button", { name: "+ Add" }).click();
    await cases.getByLabel("Cases 1 name").fill("large");
    await cases.getByLabel("Cases 1 condition").fill("total > 100");
    await cases.getByRole("button", { name: "+ Add" }).click();
    await cases.getByLabel("Cases 2 name").fill("medium");
    await cases.getByLabel("Cases 2 condition").fill("total > 10");
    const route = page.getByTestId("step-switch");
    for (const output of ["large", "medium", "default"]) await route.getByText(output, { exact: true }).waitFor();
    await page.getByText("Valid", { exact: true }).waitFor();
    await screenshot(page, "bugs-01d-switch-cases", { fullPage: false });
  });

  it("picks the flow a Call a flow step calls from the flows that can be called, by name", async () => {
    const callee = await callProcedure(page, "flows.create", {
      workspaceId,
      name: "Price a line",
      graph: {
        version: 1,
        steps: [
          { id: "called", type: "trigger.subflow", config: {}, position: { x: 0, y: 0 } },
          { id: "price", type: "data.transform", config: { expression: "qty * 2" }, position: { x: 320, y: 0 } },
        ],
        edges: [{ from: "called", to: "price", output: "out" }],
      },
    });
    const calleeId = callee.body.result.data.json.id as string;
    await callProcedure(page, "flows.publish", { workspaceId, flowId: calleeId });
    await openFlow("Caller", "$");
    await page.getByTestId("step-shape").click();
    await page.getByRole("button", { name: "Call a flow", exact: true }).click();
    const flow = page.getByLabel("Flow", { exact: true });
    // Only flows that can be called are offered: this one has no "Called by a flow" trigger.
    await expect
      .poll(() => flow.locator("option").allTextContents(), { timeout: 10_000 })
      .toEqual(["Choose a flow", "Price a line"]);
    await flow.selectOption({ label: "Price a line" });
    await page.getByText("Valid", { exact: true }).waitFor();
    await expect(flow.inputValue()).resolves.toBe(calleeId);
    await screenshot(page, "bugs-01e-call-a-flow", { fullPage: false });
  });

  it("after deleting a selected step, clicking another selects only that one and shows its form", async () => {
    await openFlow("Selection", "$");
    await page.getByTestId("step-shape").click();
    await page.getByRole("button", { name: "Log", exact: true }).click();
    await page.getByTestId("step-log").waitFor();
    await page.getByLabel("Message", { exact: true }).fill("seen {{ id }}");
    await page.getByTestId("step-log").click();
    await page.keyboard.press("Delete");
    await page.getByTestId("step-log").waitFor({ state: "detached" });

    await page.getByTestId("step-hook").click();
    const panel = page.getByRole("complementary", { name: "Panel", exact: true });
    await panel.getByLabel("Path", { exact: true }).waitFor();
    await expect(panel.getByText(/steps selected/).count()).resolves.toBe(0);
    await screenshot(page, "bugs-02-selection-after-delete", { fullPage: false });
  });

  it("drops the banner of a refused publish once the flow is edited and valid", async () => {
    await openFlow("Refused", "qty *");
    await page.getByText("1 problem", { exact: true }).first().waitFor();
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    const banner = page.getByRole("alert").filter({ hasText: /expression/i });
    await banner.waitFor();
    await screenshot(page, "bugs-03-publish-refused", { fullPage: false });

    await page.getByTestId("step-shape").click();
    await page.getByLabel("Expression", { exact: true }).fill("qty * 2");
    await page.getByText("Valid", { exact: true }).waitFor();
    await banner.waitFor({ state: "detached" });
    await screenshot(page, "bugs-04-valid-no-banner", { fullPage: false });
  });

  it("stays open, its edit on screen, when reloading the flow fails", async () => {
    await openFlow("Unreachable", "qty * 2");
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await page.getByText("Published version 1").waitFor();
    await page.getByTestId("step-shape").click();
    await page.getByLabel("Expression", { exact: true }).fill("qty * 3");
    await waitSaved();

    // Pausing the flow reloads it; the network drops every try.
    let dropped = 0;
    await page.route(/\/api\/trpc\/[^?]*flows\.get\b/, (route) => {
      dropped++;
      return route.abort("connectionreset");
    });
    try {
      await page.getByRole("button", { name: "Pause", exact: true }).click();
      await expect.poll(() => dropped, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
      // Paused, though the flow could not be read back.
      await page.getByRole("button", { name: "Activate", exact: true }).waitFor({ timeout: 5_000 });
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      expect(await page.getByLabel("Expression", { exact: true }).textContent({ timeout: 5_000 })).toBe("qty * 3");
      await page.getByTestId("step-hook").click();
      await page.getByLabel("Path", { exact: true }).waitFor();
      await screenshot(page, "bugs-05-reload-failed", { fullPage: false });
    } finally {
      await page.unroute(/\/api\/trpc\/[^?]*flows\.get\b/);
    }
  });

  it("keeps an edit made just before leaving: a link saves it, a reload asks first", async () => {
    await openFlow("Leaving", "qty * 2");
    const flowUrl = page.url();
    await page.getByTestId("step-shape").click();
    // The edit's save, whichever sends it (on a slow machine the autosave may beat the click).
    const saved = page.waitForResponse((response) => response.url().includes("flows.saveDraft") && response.ok(), {
      timeout: 15_000,
    });
    await page.getByLabel("Expression", { exact: true }).fill("qty * 4");
    // Away at once, before the autosave's moment: leaving saves it.
    await page.getByRole("link", { name: "← Flows", exact: true }).click();
    await page.waitForURL(/\/flows$/);
    await saved;
    await page.goto(flowUrl);
    await page.getByTestId("step-shape").click();
    await expect.poll(() => page.getByLabel("Expression", { exact: true }).textContent()).toBe("qty * 4");

    // A reload while the save is still on its way: the browser asks before the edit is dropped.
    await page.route(/\/api\/trpc\/[^?]*flows\.saveDraft\b/, () => undefined);
    try {
      await page.getByLabel("Expression", { exact: true }).fill("qty * 5");
      await page
        .getByTestId("save-state")
        .filter({ hasText: /Saving/ })
        .waitFor();
      const asked = new Promise<string>((resolve) =>
        page.once("dialog", (dialog) => {
          resolve(dialog.type());
          void dialog.accept();
        }),
      );
      await page.reload();
      expect(await asked).toBe("beforeunload");
    } finally {
      await page.unroute(/\/api\/trpc\/[^?]*flows\.saveDraft\b/);
    }
  });

  it("shows the edit made before leaving when the flow is opened again from the list at once", async () => {
    await openFlow("Reopened", "qty * 2");
    await page.getByTestId("step-shape").click();
    // The save on the way out is held back until the flow is being opened again.
    let releaseSave = () => {};
    const held = new Promise<void>((resolve) => {
      releaseSave = resolve;
    });
    await page.route(/\/api\/trpc\/[^?]*flows\.saveDraft\b/, async (route) => {
      await held;
      await route.continue();
    });
    try {
      await page.getByLabel("Expression", { exact: true }).fill("qty * 3");
      await page.getByRole("link", { name: "← Flows", exact: true }).click();
      await page.waitForURL(/\/flows$/);
      await page.getByRole("link", { name: "Reopened", exact: true }).click();
      await page.waitForURL(/\/flows\/[^/]+$/);
      releaseSave();
      await page.getByTestId("step-shape").click();
      await expect.poll(() => page.getByLabel("Expression", { exact: true }).textContent()).toBe("qty * 3");
    } finally {
      releaseSave();
      await page.unroute(/\/api\/trpc\/[^?]*flows\.saveDraft\b/);
    }
    // Edited again, it saves from the revision that save left: no conflict with its own change.
    await page.getByLabel("Expression", { exact: true }).fill("qty * 4");
    await waitSaved();

    // Left and opened again from the list after the save took, it shows the edit too (not the flow as first loaded).
    await page.getByRole("link", { name: "← Flows", exact: true }).click();
    await page.waitForURL(/\/flows$/);
    await page.getByRole("link", { name: "Reopened", exact: true }).click();
    await page.getByTestId("step-shape").click();
    await expect.poll(() => page.getByLabel("Expression", { exact: true }).textContent()).toBe("qty * 4");
    await screenshot(page, "builder-reopened");
  });

  it("says what is wrong with a schedule's cron once, and lists its fire times once it is right", async () => {
    await openFlow("Nightly", "$", { type: "trigger.schedule", config: { cron: "61 * * * *" } });
    await page.getByTestId("step-hook").click();
    const fireTimes = page.getByRole("region", { name: "Next fire times" });
    await fireTimes.getByText("None until the timing above is corrected.").waitFor();
    await expect.poll(() => page.getByText(/Not a cron expression/).count()).toBe(1);
    // The time zone left empty shows the one it takes.
    expect(await page.getByLabel("Time zone", { exact: true }).getAttribute("placeholder")).toBe("UTC");

    await page.getByLabel("Cron", { exact: true }).fill("0 7 * * 1-5");
    await expect.poll(() => fireTimes.getByRole("listitem").count()).toBe(5);
    await expect.poll(() => page.getByText(/Not a cron expression/).count()).toBe(0);
    await screenshot(page, "builder-schedule-fixed");
  });

  it("gives the canvas more room when the panel's border is dragged, and keeps that width", async () => {
    await openFlow("Roomy", "qty * 2");
    await page.getByTestId("step-shape").click();
    const panel = page.getByRole("complementary", { name: "Panel", exact: true });
    const pane = page.locator(".react-flow");
    const widths = async () => ({
      panel: (await panel.boundingBox())?.width ?? 0,
      canvas: (await pane.boundingBox())?.width ?? 0,
    });
    const before = await widths();
    const border = page.getByRole("separator", { name: "Resize the panel", exact: true });
    const box = await border.boundingBox();
    if (!box) throw new Error("no panel border");
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 250, box.y + box.height / 2, { steps: 10 });
    await page.mouse.up();
    const after = await widths();
    expect(before.panel - after.panel).toBeGreaterThan(200);
    expect(after.canvas - before.canvas).toBeGreaterThan(200);
    await screenshot(page, "bugs-06-panel-resized", { fullPage: false });

    // With the keyboard too, and the width stays through a reload.
    await border.focus();
    await page.keyboard.press("ArrowLeft");
    await expect.poll(async () => (await widths()).panel).toBeCloseTo(after.panel + 32, 0);
    const chosen = (await widths()).panel;
    await page.reload();
    await page.getByTestId("step-shape").click();
    await expect.poll(async () => (await widths()).panel).toBeCloseTo(chosen, 0);
    // A double click gives the panel its own width back.
    await border.dblclick();
    await expect.poll(async () => (await widths()).panel).toBeCloseTo(before.panel, 0);
  });
});
