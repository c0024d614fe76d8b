// An admin guards a webhook in the browser: creates a signature rule on the Security page, copies the secret
// shown once, attaches it to a webhook trigger, and the real web server then accepts signed calls only; the
// refused ones show up as failed checks.
import { createHmac } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callProcedure, launchBrowser, screenshot } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
const run = Date.now().toString(36);
const admin = { email: `guard-${run}@example.com`, password: "granite lantern orchard violet" };

let browser: Browser;
let page: Page;
let workspace = { id: "", slug: "" };
let signingSecret = "";

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
});

function signedHeaders(body: string, secret: string) {
  const id = `msg_${Math.random().toString(36).slice(2)}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": `v1,${signature}`,
  };
}

describe("security rules in the browser", () => {
  it("creates a signature rule and shows its secret once", async () => {
    await page.goto("/signup");
    await page.getByLabel("Email", { exact: true }).fill(admin.email);
    await page.getByLabel("Password", { exact: true }).fill(admin.password);
    await page.getByRole("button", { name: "Create account", exact: true }).click();
    await page.waitForURL(/\/w\//);
    const slug = new URL(page.url()).pathname.split("/")[2] ?? "";
    const lookup = await page.evaluate(async (slug) => {
      const input = encodeURIComponent(JSON.stringify({ json: { slug } }));
      return (await fetch(`/api/trpc/workspaces.bySlug?input=${input}`)).json();
    }, slug);
    workspace = { id: lookup.result.data.json.id, slug };

    await page.getByRole("link", { name: "Security", exact: true }).click();
    await page.getByText("No rules yet").waitFor();
    await page.getByRole("button", { name: "New rule", exact: true }).click();
    await page.getByLabel("Name", { exact: true }).fill("Shop signatures");
    await page.getByLabel("Type", { exact: true }).selectOption("hmac_standard");
    await screenshot(page, "security-01-new-rule");
    await page.getByRole("button", { name: "Create rule", exact: true }).click();
    signingSecret = (await page.getByTestId("shown-secret").textContent()) ?? "";
    expect(signingSecret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    await page.getByText("Shop signatures", { exact: true }).waitFor();
    await screenshot(page, "security-02-secret-shown-once");
    await page.getByRole("button", { name: "Done", exact: true }).click();
    await expect(page.getByTestId("shown-secret").count()).resolves.toBe(0);
  });

  it("guards a published webhook: signed calls are accepted, others refused and counted", async () => {
    const rules = await page.evaluate(async (workspaceId) => {
      const input = encodeURIComponent(JSON.stringify({ json: { workspaceId } }));
      return (await fetch(`/api/trpc/security.list?input=${input}`)).json();
    }, workspace.id);
    const ruleId = rules.result.data.json[0].id as string;
    const created = await callProcedure(page, "flows.create", {
      workspaceId: workspace.id,
      name: "Orders in",
      graph: {
        version: 1,
        steps: [
          { id: "hook", type: "trigger.webhook", config: { path: "orders", securityRuleIds: [ruleId] } },
          { id: "log", type: "util.log", config: { message: "order" } },
        ],
        edges: [{ from: "hook", to: "log", output: "out" }],
      },
    });
    expect(created.status).toBe(200);
    const published = await callProcedure(page, "flows.publish", {
      workspaceId: workspace.id,
      flowId: created.body.result.data.json.id,
    });
    expect(published.status).toBe(200);

    const url = `${baseUrl}/hooks/${workspace.slug}/orders`;
    const body = JSON.stringify({ order: 17 });
    // Routes are cached for a second in the web process.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const signed = await fetch(url, { method: "POST", headers: signedHeaders(body, signingSecret), body });
    expect(signed.status).toBe(202);
    expect(await signed.json()).toMatchObject({ runId: expect.any(String) });

    const unsigned = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    const forged = await fetch(url, {
      method: "POST",
      headers: signedHeaders(body, `whsec_${Buffer.from("not the secret at all, truly").toString("base64")}`),
      body,
    });
    expect(unsigned.status).toBe(401);
    expect(forged.status).toBe(401);
    expect(await forged.text()).toBe(await unsigned.text());

    await page.reload();
    // The refused calls are counted on the rule, for admins to see.
    await page
      .getByRole("row", { name: /Shop signatures/ })
      .getByText("2", { exact: true })
      .waitFor();
    await screenshot(page, "security-03-failed-checks");
  });

  it("rotates: the new secret is shown once and the old one keeps working until removed", async () => {
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Rotate", exact: true }).click();
    const rotated = (await page.getByTestId("shown-secret").textContent()) ?? "";
    expect(rotated).not.toBe(signingSecret);
    await expect(page.locator("li", { hasText: "…" }).count()).resolves.toBe(2);
    await screenshot(page, "security-04-rotated");

    const url = `${baseUrl}/hooks/${workspace.slug}/orders`;
    const body = "{}";
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    for (const secret of [signingSecret, rotated]) {
      const response = await fetch(url, { method: "POST", headers: signedHeaders(body, secret), body });
      expect(response.status).toBe(202);
    }
  });
});
