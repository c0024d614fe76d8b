// Prometheus metrics end to end: the web server (with the real webhook ingress) and a real worker process with
// METRICS_TOKEN set are scraped after webhook calls and runs, and their answers read by a Prometheus text
// parser. Without the token a scrape is refused; without METRICS_TOKEN there is no /metrics at all. The Grafana
// dashboard in docs/ is checked against what was scraped: every metric its panels query is one we export.
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebMetrics } from "../../apps/web/src/server/web-metrics.ts";
import { createWebServer } from "../../apps/web/src/server/web-server.ts";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { restHandlerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { freePort } from "../support/free-port.ts";
import { histogramSeries, samples, sampleValue, scrape } from "../support/prometheus.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { webhookHarness } from "../support/webhook-harness.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
const TOKEN = "metrics-token-for-the-test-0123456789";
let hooks: ReturnType<typeof webhookHarness>;
let seeded: SeededWorkspace;
let worker: WorkerProcess;
let workerPort: number;
const servers: Server[] = [];
const ingresses: ReturnType<typeof webhookHarness>[] = [];

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function webServer({ metrics }: { metrics: boolean }) {
  const webMetrics = metrics ? createWebMetrics({ db: env.db, token: TOKEN }) : undefined;
  const ingress = webMetrics ? webhookHarness(env, { onInlineRun: webMetrics.ranInline }) : hooks;
  if (ingress !== hooks) ingresses.push(ingress);
  return createWebServer({
    webhooks: (request, info) => ingress.handle(request, info.clientIp),
    rest: restHandlerFor({ env, clientIp: () => "127.0.0.1" }),
    next: (_req, res) => res.writeHead(404, { "content-type": "text/plain" }).end("Next: not found"),
    trustProxyHops: 0,
    ...(webMetrics ? { metrics: webMetrics } : {}),
  });
}

beforeAll(async () => {
  seeded = await seedWorkspace({ db: env.db });
  hooks = webhookHarness(env);
  workerPort = await freePort();
  worker = await startWorker({
    databaseUrl: env.databaseUrl,
    redisPrefix: env.redisPrefix,
    env: {
      METRICS_TOKEN: TOKEN,
      METRICS_PORT: String(workerPort),
      METRICS_HOST: "127.0.0.1",
      SUBSCRIPTION_SYNC_MS: "300",
    },
  });
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
  await worker?.stop();
  await hooks?.close();
  for (const ingress of ingresses) await ingress.close();
});

describe("metrics", () => {
  it("counts webhook requests, runs and steps, and reports queues, pools, sandbox and triggers", async () => {
    const web = await listen(webServer({ metrics: true }));
    await publishedFlow({
      db: env.db,
      workspaceId: seeded.workspace.id,
      actor: seeded.owner.actor,
      graph: graph(
        [
          ["hook", "trigger.webhook", { path: "metered", methods: ["POST"] }],
          ["shape", "data.transform", { expression: "{ 'n': n, 'fail': fail }" }],
          [
            "check",
            "code.typescript",
            { source: "export default (m) => { if (m.body.fail) throw new Error('asked to fail'); return m.body; }" },
          ],
        ],
        [
          ["hook", "shape"],
          ["shape", "check"],
        ],
      ),
    });
    const outcomes = [false, true, false, false, true, false];
    const runIds: string[] = [];
    for (const [n, fail] of outcomes.entries()) {
      const response = await fetch(`${web}/hooks/${seeded.workspace.slug}/metered`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ n, fail }),
      });
      expect(response.status).toBe(202);
      runIds.push(((await response.json()) as { runId: string }).runId);
    }
    expect((await fetch(`${web}/hooks/${seeded.workspace.slug}/nowhere`, { method: "POST" })).status).toBe(404);
    // A quick flow's runs are run by the web process as it takes the call in: counted there.
    await publishedFlow({
      db: env.db,
      workspaceId: seeded.workspace.id,
      actor: seeded.owner.actor,
      graph: graph(
        [
          ["hook", "trigger.webhook", { path: "quick", methods: ["POST"], responseMode: "sync" }],
          ["shape", "data.transform", { expression: "{ 'n': n }" }],
        ],
        [["hook", "shape"]],
      ),
    });
    // One that misses the inline budget (a busy machine) is run by a worker and counted there: called until
    // the web process ran one.
    let quickOnWorker = 0;
    for (;;) {
      const quick = await fetch(`${web}/hooks/${seeded.workspace.slug}/quick`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"n": 1}',
      });
      expect(await quick.json()).toEqual({ n: 1 });
      const { families } = await scrape(`${web}/metrics`, TOKEN);
      if (sampleValue(families, "tributary_runs_started_total", { trigger: "webhook" }) === 1) break;
      expect(++quickOnWorker, "quick runs that missed the inline budget").toBeLessThan(5);
    }
    for (const runId of runIds) await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId });

    const fromWeb = await scrape(`${web}/metrics`, TOKEN);
    expect(fromWeb.status).toBe(200);
    expect(sampleValue(fromWeb.families, "tributary_webhook_requests_total", { status: "202" })).toBe(6);
    expect(sampleValue(fromWeb.families, "tributary_webhook_requests_total", { status: "404" })).toBe(1);
    expect(sampleValue(fromWeb.families, "tributary_webhook_requests_total", { status: "200" })).toBe(
      1 + quickOnWorker,
    );
    expect(sampleValue(fromWeb.families, "tributary_runs_started_total", { trigger: "webhook" })).toBe(1);
    expect(sampleValue(fromWeb.families, "tributary_runs_finished_total", { status: "succeeded" })).toBe(1);
    expect(
      histogramSeries(fromWeb.text, "tributary_step_duration_seconds", {
        step_type: "data.transform",
        status: "succeeded",
      })?.count,
    ).toBe(1);
    expect(sampleValue(fromWeb.families, "tributary_db_pool_max_connections", { pool: "sql" })).toBeGreaterThan(0);
    expect(samples(fromWeb.families, "tributary_db_pool_connections", { pool: "orm", state: "total" })).toHaveLength(1);

    // The worker counts a run once its commit has answered, a moment after the row shows it ended: polled.
    const workerMetrics = `http://127.0.0.1:${workerPort}/metrics`;
    await expect
      .poll(async () => sampleValue((await scrape(workerMetrics, TOKEN)).families, "tributary_runs_finished_total"), {
        timeout: 30_000,
        interval: 200,
      })
      .toBe(6 + quickOnWorker);
    const fromWorker = await scrape(workerMetrics, TOKEN);
    expect(fromWorker.status).toBe(200);
    const families = fromWorker.families;
    expect(sampleValue(families, "tributary_runs_started_total", { trigger: "webhook" })).toBe(6 + quickOnWorker);
    expect(sampleValue(families, "tributary_runs_finished_total", { status: "succeeded" })).toBe(4 + quickOnWorker);
    expect(sampleValue(families, "tributary_runs_finished_total", { status: "failed" })).toBe(2);
    const transform = histogramSeries(fromWorker.text, "tributary_step_duration_seconds", {
      step_type: "data.transform",
      status: "succeeded",
    });
    expect(transform?.count).toBe(6 + quickOnWorker);
    expect(transform?.buckets["+Inf"]).toBe(6 + quickOnWorker);
    expect(transform?.sum).toBeGreaterThanOrEqual(0);
    const failedCode = histogramSeries(fromWorker.text, "tributary_step_duration_seconds", {
      step_type: "code.typescript",
      status: "failed",
    });
    expect(failedCode?.count).toBe(2);
    expect(
      histogramSeries(fromWorker.text, "tributary_step_duration_seconds", {
        step_type: "code.typescript",
        status: "succeeded",
      })?.count,
    ).toBe(4);
    expect(sampleValue(families, "tributary_active_runs")).toBe(0);
    expect(sampleValue(families, "tributary_sandbox_processes", { state: "ready" })).toBeGreaterThan(0);
    expect(sampleValue(families, "tributary_sandbox_processes", { state: "busy" })).toBe(0);
    expect(sampleValue(families, "tributary_sandbox_queued_steps")).toBe(0);
    expect(sampleValue(families, "tributary_queue_jobs", { queue: "runs", state: "waiting" })).toBe(0);
    expect(samples(families, "tributary_queue_jobs", { queue: "maintenance" }).length).toBeGreaterThan(0);
    expect(sampleValue(families, "tributary_queue_oldest_waiting_seconds", { queue: "runs" })).toBe(0);
    expect(sampleValue(families, "tributary_subscription_triggers", { state: "consuming" })).toBe(0);
    expect(sampleValue(families, "tributary_db_pool_connections", { pool: "sql", state: "total" })).toBeGreaterThan(0);

    // The dashboard in docs/ queries only metrics that the two processes export.
    const exported = new Set([...fromWeb.families, ...families].map((family) => family.name));
    for (const name of dashboardMetrics()) expect(exported, `the dashboard queries ${name}`).toContain(name);
  });

  it("reports the subscription triggers the worker holds by state", async () => {
    await publishedFlow({
      db: env.db,
      workspaceId: seeded.workspace.id,
      actor: seeded.owner.actor,
      name: "Topic subscriber",
      graph: graph([["events", "trigger.topic", { topic: "metrics.events" }]], []),
    });
    await expect
      .poll(
        async () =>
          sampleValue(
            (await scrape(`http://127.0.0.1:${workerPort}/metrics`, TOKEN)).families,
            "tributary_subscription_triggers",
            { state: "consuming" },
          ),
        { timeout: 30_000, interval: 300 },
      )
      .toBe(1);
  });

  it("counts a delayed job in its queue", async () => {
    const queued = await env.queue.enqueue(
      "schedules.sync",
      {
        schemaVersion: 1,
        workspaceId: seeded.workspace.id,
        flowId: "00000000-0000-4000-8000-000000000000",
      },
      { delayMs: 60_000 },
    );
    try {
      const { families } = await scrape(`http://127.0.0.1:${workerPort}/metrics`, TOKEN);
      expect(
        sampleValue(families, "tributary_queue_jobs", { queue: "schedules", state: "delayed" }),
      ).toBeGreaterThanOrEqual(1);
    } finally {
      await queued.remove();
    }
  });

  it("refuses a scrape without the bearer token, or with another", async () => {
    const web = await listen(webServer({ metrics: true }));
    for (const url of [`${web}/metrics`, `http://127.0.0.1:${workerPort}/metrics`]) {
      const missing = await scrape(url);
      expect(missing.status).toBe(401);
      expect(missing.text).toContain("METRICS_TOKEN");
      expect(missing.text).not.toContain("tributary_");
      expect((await scrape(url, `${TOKEN}x`)).status).toBe(401);
    }
  });

  it("has no /metrics when METRICS_TOKEN is not set", async () => {
    const web = await listen(webServer({ metrics: false }));
    const answer = await scrape(`${web}/metrics`, TOKEN);
    expect(answer.status).toBe(404);
    expect(answer.text).toBe("Next: not found");
    // A worker without the token opens no listener, whatever METRICS_PORT says.
    const port = await freePort();
    const plain = await startWorker({
      databaseUrl: env.databaseUrl,
      redisPrefix: env.redisPrefix,
      env: { METRICS_PORT: String(port), METRICS_HOST: "127.0.0.1" },
    });
    try {
      await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
    } finally {
      await plain.stop();
    }
  });
});

/** The metric families the dashboard's panels query (a histogram's _bucket, _sum and _count are its family). */
function dashboardMetrics(): string[] {
  const dashboard = JSON.parse(
    readFileSync(resolve(import.meta.dirname, "../../docs/grafana-dashboard.json"), "utf8"),
  ) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  expect(dashboard.panels.length).toBeGreaterThan(0);
  const names = new Set<string>();
  for (const panel of dashboard.panels) {
    expect(panel.targets.length, `panel ${panel.title} has queries`).toBeGreaterThan(0);
    for (const { expr } of panel.targets)
      for (const [name] of expr.matchAll(/\btributary_[a-z0-9_]+/g))
        names.add(name.replace(/_(bucket|sum|count)$/, ""));
  }
  return [...names];
}
