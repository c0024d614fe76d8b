// Debian's Chromium driven by playwright-core; never a downloaded browser.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";

export const SCREENSHOT_DIR = resolve(import.meta.dirname, "../../test-results/screenshots");

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ],
  });
}

/**
 * Saves a screenshot as test-results/screenshots/<name>.png for people to look at: the full page, or only the
 * viewport for the canvas (a full-page capture resizes the page, and React Flow then stops measuring new steps).
 */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage });
}

/**
 * Drags `source` with the mouse (button down on it, moved in steps, released at the point) until `dropped`
 * says the drop took: a busy Chromium now and then loses a drag's first moves, and a person would drag again.
 */
export async function dragWithMouse(
  page: Page,
  source: Locator,
  to: { x: number; y: number },
  dropped: () => Promise<boolean>,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await source.hover();
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 12 });
    await page.mouse.up();
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      if (await dropped()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (attempt === 3) throw new Error(`Dragging ${source} did not take in ${attempt} tries.`);
  }
}

/** Calls a tRPC procedure over HTTP from the page's session, as a script in the browser could. */
export async function callProcedure(page: Page, path: string, input: unknown) {
  return page.evaluate(
    async ({ path, input }) => {
      const response = await fetch(`/api/trpc/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ json: input }),
      });
      return { status: response.status, body: await response.json() };
    },
    { path, input },
  );
}

/** Signs a new account up through the sign-up page and returns the workspace it lands in. */
export async function signUpInBrowser(
  page: Page,
  account: { email: string; password: string },
): Promise<{ slug: string; workspaceId: string }> {
  await page.goto("/signup");
  await page.getByLabel("Email", { exact: true }).fill(account.email);
  await page.getByLabel("Password", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: "Create account", exact: true }).click();
  await page.waitForURL(/\/w\//);
  const slug = new URL(page.url()).pathname.split("/")[2] ?? "";
  const workspaceId: string = await page.evaluate(async (slug) => {
    const input = encodeURIComponent(JSON.stringify({ json: { slug } }));
    return (await (await fetch(`/api/trpc/workspaces.bySlug?input=${input}`)).json()).result.data.json.id;
  }, slug);
  return { slug, workspaceId };
}
