// Pages looked at as a visitor would (issue 14): the API reference renders without a console error, and the
// app has an icon.
import type { Browser, ConsoleMessage, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser } from "../support/browser.ts";

const baseUrl = inject("baseUrl");

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
});

describe("pages a visitor looks at", () => {
  it("renders the API reference without console errors, and serves the app's icon", async () => {
    const errors: string[] = [];
    const onConsole = (message: ConsoleMessage) => {
      if (message.type() === "error") errors.push(message.text());
    };
    page.on("console", onConsole);
    page.on("pageerror", (error) => errors.push(error.message));
    try {
      await page.goto("/docs/api");
      await page.getByRole("heading", { name: "REST API reference" }).waitFor();
      await page.waitForLoadState("networkidle");
    } finally {
      page.off("console", onConsole);
    }
    expect(errors).toEqual([]);

    const icon = await page.locator('link[rel="icon"]').first().getAttribute("href");
    expect(icon).toBeTruthy();
    const served = await fetch(new URL(icon ?? "", baseUrl));
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toContain("image/svg+xml");
  });
});
