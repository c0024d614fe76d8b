// The builder with a generated flow of 300 steps in Debian's Chromium: time until every step is drawn, and
// frame times while dragging a step, beside the same on a flow of one step (the baseline); and how much
// JavaScript the builder page loads.
//   node test/bench/builder.bench.ts [steps]
import { ensureWebBuild } from "../../scripts/lib/build.ts";
import { startApp } from "../support/app-process.ts";
import { callProcedure, launchBrowser } from "../support/browser.ts";
import { createTestDatabase, ensureTemplateDatabase } from "../support/database.ts";
import { deleteKeysWithPrefix } from "../support/redis.ts";

const STEPS = Number(process.argv[2] ?? 300);

function generatedGraph(count: number) {
  const steps = [{ id: "start", type: "trigger.manual", config: {}, position: { x: 0, y: 0 } }];
  const edges: { from: string; to: string; output: string }[] = [];
  for (let i = 1; i < count; i++) {
    const id = `step-${i}`;
    steps.push({
      id,
      type: i % 3 === 0 ? "flow.branch" : "data.transform",
      config: i % 3 === 0 ? { condition: "n > 1" } : { expression: `{ 'n': n + ${i} }` },
      position: { x: (i % 20) * 260, y: Math.floor(i / 20) * 140 },
    });
    const previous = steps[i - 1]?.id ?? "start";
    edges.push({ from: previous, to: id, output: previous.startsWith("step-") && (i - 1) % 3 === 0 ? "true" : "out" });
  }
  return { version: 1, steps, edges };
}

ensureWebBuild();
const database = await createTestDatabase({ template: await ensureTemplateDatabase() });
const app = await startApp({ databaseUrl: database.url, logDir: "test-results/bench-logs" });
const browser = await launchBrowser();

try {
  const context = await browser.newContext({ baseURL: app.baseUrl, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto("/signup");
  await page.getByLabel("Email").fill(`bench-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill("granite lantern orchard violet");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/w\//);
  const slug = new URL(page.url()).pathname.split("/")[2] ?? "";
  const workspace = await page.evaluate(async (slug) => {
    const input = encodeURIComponent(JSON.stringify({ json: { slug } }));
    return (await (await fetch(`/api/trpc/workspaces.bySlug?input=${input}`)).json()).result.data.json;
  }, slug);

  async function measure(count: number) {
    const created = await callProcedure(page, "flows.create", {
      workspaceId: workspace.id,
      name: `Generated ${count}`,
      graph: generatedGraph(count),
    });
    const flowId = created.body.result.data.json.id as string;
    const started = performance.now();
    await page.goto(`/w/${slug}/flows/${flowId}`);
    await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node").length === n, count, {
      timeout: 120_000,
    });
    const renderMs = performance.now() - started;
    // Drag the first step across the canvas, frame by frame, and collect the frame times the page saw.
    await page.evaluate(() => {
      const times: number[] = [];
      let last = performance.now();
      const tick = (now: number) => {
        times.push(now - last);
        last = now;
        if ((window as unknown as { frames?: number[] }).frames) requestAnimationFrame(tick);
      };
      (window as unknown as { frames?: number[] }).frames = times;
      requestAnimationFrame(tick);
    });
    const node = await page.locator('[data-testid="step-start"]').boundingBox();
    if (!node) throw new Error("no first step");
    await page.mouse.move(node.x + 40, node.y + 15);
    await page.mouse.down();
    for (let i = 1; i <= 60; i++) await page.mouse.move(node.x + 40 + i * 4, node.y + 15 + i * 2);
    await page.mouse.up();
    const frames = await page.evaluate(() => {
      const recorded = (window as unknown as { frames?: number[] }).frames ?? [];
      delete (window as unknown as { frames?: number[] }).frames;
      return recorded.slice(1);
    });
    frames.sort((a, b) => a - b);
    const at = (q: number) => frames[Math.min(frames.length - 1, Math.floor(q * frames.length))] ?? 0;
    const scripts = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((entry) => entry.name.endsWith(".js"))
        .reduce((sum, entry) => sum + ((entry as PerformanceResourceTiming).decodedBodySize || 0), 0),
    );
    return { renderMs, p50: at(0.5), p95: at(0.95), frames: frames.length, scripts };
  }

  await measure(1); // warm-up: the first visit compiles the page's scripts
  const baseline = await measure(1);
  const big = await measure(STEPS);
  const row = (name: string, r: typeof big) =>
    `${name.padEnd(12)} first render ${r.renderMs.toFixed(0).padStart(5)} ms   drag frames p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms (${r.frames} frames)`;
  console.log(`\nBuilder in Chromium, ${STEPS} steps vs 1 (60 mouse moves while dragging a step)`);
  console.log(row("1 step", baseline));
  console.log(row(`${STEPS} steps`, big));
  console.log(
    `ratios: first render ×${(big.renderMs / baseline.renderMs).toFixed(1)}, drag p95 ×${(big.p95 / Math.max(baseline.p95, 0.1)).toFixed(1)} (a 60 Hz frame is 16.7 ms)`,
  );
  console.log(`JavaScript loaded by the builder page: ${(big.scripts / 1024).toFixed(0)} KiB (decoded)`);
} finally {
  await browser.close();
  await app.stop();
  await deleteKeysWithPrefix(app.redisPrefix);
  await database.drop();
}
