// Testing one step in the builder with the mouse and keyboard (issue 14): pin a sample message on the trigger,
// see it as the next step's input beside its form, test that step alone and pin its output, drag an input field
// into the expression editor, pick an autocomplete entry and watch the preview, see an invalid expression
// underlined, find the pins again after a reload, and pin a sample edited in the Test tab on the trigger.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callProcedure, dragWithMouse, launchBrowser, screenshot } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const run = Date.now().toString(36);
const user = { email: `step-testing-${run}@example.com`, password: "amber willow lantern quartz" };

let browser: Browser;
let page: Page;
let flowUrl = "";

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  await page.goto("/signup");
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Create account", exact: true }).click();
  await page.waitForURL(/\/w\//);
  const slug = new URL(page.url()).pathname.split("/")[2] ?? "";
  const workspaceId = await page.evaluate(async (slug) => {
    const input = encodeURIComponent(JSON.stringify({ json: { slug } }));
    return (await (await fetch(`/api/trpc/workspaces.bySlug?input=${input}`)).json()).result.data.json.id;
  }, slug);
  const created = await callProcedure(page, "flows.create", {
    workspaceId,
    name: "Greetings",
    graph: {
      version: 1,
      steps: [
        { id: "start", type: "trigger.manual", config: {}, position: { x: 0, y: 0 } },
        {
          id: "shape",
          type: "data.transform",
          config: { expression: '{ "total": qty * 2 }' },
          position: { x: 0, y: 160 },
        },
      ],
      edges: [{ from: "start", to: "shape", output: "out" }],
    },
  });
  flowUrl = `/w/${slug}/flows/${created.body.result.data.json.id as string}`;
});
afterAll(async () => {
  await browser?.close();
});

const editor = () => page.getByTestId("expression-editor");

/** The expression as written in the editor (its lines, without the placeholder shown while it is empty). */
function expression(): Promise<string> {
  return editor().evaluate((content) =>
    [...content.querySelectorAll(".cm-line")]
      .map((line) =>
        [...line.childNodes]
          .filter((node) => !(node instanceof HTMLElement && node.classList.contains("cm-placeholder")))
          .map((node) => node.textContent)
          .join(""),
      )
      .join("\n"),
  );
}

/** Replaces the expression by typing it, as a person would after selecting all. */
async function typeExpression(text: string) {
  await editor().click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Backspace");
  await page.keyboard.type(text, { delay: 30 });
}

/**
 * Waits until the completion list has not changed for `quietMs`. CodeMirror refreshes the list a moment after
 * the last keystroke and ignores Enter for 75 ms after each change (its guard against accepting by accident);
 * on a busy machine the refresh came after the list was on screen and the Enter fell in that guard.
 */
async function completionsSettled(quietMs = 250) {
  await page.locator(".cm-tooltip-autocomplete").evaluate(
    (list, quiet) =>
      new Promise<void>((resolve) => {
        const observer = new MutationObserver(() => {
          clearTimeout(timer);
          timer = setTimeout(done, quiet);
        });
        let timer = setTimeout(done, quiet);
        function done() {
          observer.disconnect();
          resolve();
        }
        observer.observe(list, { subtree: true, childList: true, attributes: true, characterData: true });
      }),
    quietMs,
  );
}

describe("testing one step in the builder", () => {
  it("pins a sample message on the trigger", async () => {
    await page.goto(flowUrl);
    await page.getByTestId("step-start").click();
    const sample = page.getByLabel("Sample message body (JSON)", { exact: true }).first();
    await sample.fill('{ "customer": { "name": "Ada" }, "qty": 4 }');
    await page.getByRole("button", { name: "Pin sample", exact: true }).click();
    await page.getByTestId("pinned-badge").waitFor();
    await page
      .getByRole("tabpanel", { name: "Pinned sample", exact: true })
      .getByText('"Ada"', { exact: true })
      .waitFor();
    await screenshot(page, "step-testing-01-pinned-sample", { fullPage: false });
    // One sample: the Test tab starts from the trigger's pin.
    await page.getByRole("tab", { name: "Test", exact: true }).click();
    await page.getByTestId("sample-source").getByText("The sample pinned on “start”.", { exact: true }).waitFor();
    expect(await page.getByLabel("Sample message body (JSON)", { exact: true }).inputValue()).toContain('"Ada"');
    await page.getByRole("tab", { name: "Step", exact: true }).click();
  });

  it("shows the step's input beside its form, tests the step alone and pins its output", async () => {
    await page.getByTestId("step-shape").click();
    await page.getByTestId("input-source").filter({ hasText: "Pinned sample of “start”" }).waitFor();
    const input = page.getByRole("tabpanel", { name: "Input", exact: true });
    await input.getByRole("button", { name: "customer", exact: true }).waitFor();
    // The same input as a table and as a schema.
    await page
      .getByRole("tablist", { name: "Input view", exact: true })
      .getByRole("tab", { name: "Schema", exact: true })
      .click();
    await input.getByRole("button", { name: "customer.name", exact: true }).waitFor();
    await page
      .getByRole("tablist", { name: "Input view", exact: true })
      .getByRole("tab", { name: "Table", exact: true })
      .click();
    await input.getByRole("columnheader", { name: "qty", exact: true }).waitFor();
    await page
      .getByRole("tablist", { name: "Input view", exact: true })
      .getByRole("tab", { name: "JSON", exact: true })
      .click();

    await page.getByRole("button", { name: "Test step", exact: true }).click();
    const output = page.getByRole("tabpanel", { name: "Output", exact: true });
    await output.getByText("8", { exact: true }).waitFor({ timeout: 60_000 });
    await page
      .getByRole("region", { name: "Step output", exact: true })
      .getByText("succeeded", { exact: true })
      .waitFor();
    // Once its test run has ended, the step can be tested again.
    await expect.poll(() => page.getByRole("button", { name: "Test step", exact: true }).isEnabled()).toBe(true);
    await screenshot(page, "step-testing-02-step-tested", { fullPage: false });
    await page.getByRole("button", { name: "Pin this output", exact: true }).click();
    await page.getByRole("region", { name: "Step output", exact: true }).getByTestId("pinned-badge").waitFor();
  });

  it("drags an input field into the expression editor and previews it", async () => {
    await typeExpression("");
    await expect.poll(expression).toBe("");
    const field = page
      .getByRole("tabpanel", { name: "Input", exact: true })
      .getByRole("button", { name: "name", exact: true });
    const box = await editor().boundingBox();
    if (!box) throw new Error("The expression editor is not on screen.");
    await dragWithMouse(
      page,
      field,
      { x: box.x + 10, y: box.y + box.height / 2 },
      async () => (await expression()) !== "",
    );
    await expect.poll(expression).toBe("customer.name");
    await page.getByTestId("expression-preview").filter({ hasText: '"Ada"' }).waitFor();
    await screenshot(page, "step-testing-03-dragged-reference", { fullPage: false });
  });

  it("completes a function and a field as you type, and previews the result", async () => {
    await typeExpression("$upper");
    const uppercase = page.locator(".cm-tooltip-autocomplete li", { hasText: "$uppercase" }).first();
    await uppercase.waitFor();
    await page.locator(".cm-tooltip-autocomplete").getByText("$uppercase(str)", { exact: true }).waitFor();
    await completionsSettled();
    await screenshot(page, "step-testing-04-function-completion", { fullPage: false });
    await page.keyboard.press("Enter");
    await expect.poll(expression).toBe("$uppercase()");
    await page.keyboard.type("customer.na", { delay: 30 });
    await page.locator(".cm-tooltip-autocomplete .cm-completionLabel", { hasText: /^customer\.name$/ }).click();
    await expect.poll(expression).toBe("$uppercase(customer.name)");
    await page.getByTestId("expression-preview").filter({ hasText: '"ADA"' }).waitFor();
    await screenshot(page, "step-testing-05-completed-preview", { fullPage: false });
  });

  it("underlines an invalid expression and quotes it as written", async () => {
    await typeExpression("qty +");
    await page.locator(".cm-lintRange-error").waitFor();
    await screenshot(page, "step-testing-06-invalid-underlined", { fullPage: false });
    await typeExpression("$number('x')");
    await page.getByTestId("expression-preview").filter({ hasText: "the expression $number('x') failed" }).waitFor();
    expect(await page.getByTestId("expression-preview").textContent()).not.toContain("{{");
    await editor().fill('{ "total": qty * 2 }');
    await page
      .getByTestId("save-state")
      .filter({ hasText: /^Saved$/ })
      .waitFor();
  });

  it("keeps the pins after a reload", async () => {
    await page.reload();
    await page.getByTestId("step-start").click();
    await page.getByTestId("pinned-badge").waitFor();
    expect(await page.getByLabel("Sample message body (JSON)", { exact: true }).first().inputValue()).toContain(
      '"Ada"',
    );
    await page.getByTestId("step-shape").click();
    await page.getByRole("region", { name: "Step output", exact: true }).getByTestId("pinned-badge").waitFor();
    await page.getByRole("tabpanel", { name: "Pinned output", exact: true }).getByText("8", { exact: true }).waitFor();
    await screenshot(page, "step-testing-07-pins-after-reload", { fullPage: false });
  });

  it("tests the step with its input from a past run", async () => {
    await page.getByText("Use its input from a past run", { exact: true }).click();
    await page
      .getByRole("button", { name: /step-test · succeeded/ })
      .first()
      .click();
    await page.getByTestId("input-source").filter({ hasText: "Its input in the run of" }).waitFor();
    await page
      .getByRole("tabpanel", { name: "Input", exact: true })
      .getByRole("button", { name: "customer", exact: true })
      .waitFor();
    await page.getByRole("button", { name: "Back to the pinned or sampled input", exact: true }).click();
    await page.getByTestId("input-source").filter({ hasText: "Pinned sample of “start”" }).waitFor();
  });

  it("pins a sample edited in the Test tab on the trigger", async () => {
    await page.getByRole("tab", { name: "Test", exact: true }).click();
    const sample = page.getByLabel("Sample message body (JSON)", { exact: true });
    await sample.fill('{ "customer": { "name": "Grace" }, "qty": 5 }');
    await page
      .getByTestId("sample-source")
      .getByText("Edited: differs from the sample pinned on “start”.", { exact: true })
      .waitFor();
    await page.getByRole("button", { name: "Pin on “start”", exact: true }).click();
    await page.getByTestId("sample-source").getByText("The sample pinned on “start”.", { exact: true }).waitFor();
    await page.reload();
    await page.getByTestId("step-start").click();
    await page
      .getByRole("tabpanel", { name: "Pinned sample", exact: true })
      .getByText('"Grace"', { exact: true })
      .waitFor();
    await screenshot(page, "step-testing-08-sample-pinned-from-test-tab", { fullPage: false });
  });
});
