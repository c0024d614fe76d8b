// Memory of web + worker over a long, steady load (issue #13: "≤ 600 MB peak, flat" over a 10-minute soak):
// a quick sync webhook and a quick async one (run by the web process as it takes the calls in), and an async
// webhook whose flow needs the worker (a delay step), at a rate the worker keeps up with. Resident memory of
// both processes and their children is sampled every 5 s; printed per minute, with the peak, and whether the
// last minute stays within 10 % of the second (flat: no growth once warm).
//   SOAK_SECONDS=600 node test/bench/memory-soak.bench.ts
import { setTimeout as sleep } from "node:timers/promises";
import { sqlStatementInWorkspace } from "@tributary/db";
import autocannon from "autocannon";
import pg from "pg";
import { ensureWebBuild } from "../../scripts/lib/build.ts";
import { seedWorkspace } from "../factories/seed.ts";
import { startApp } from "../support/app-process.ts";
import { createTestDatabase, ensureTemplateDatabase } from "../support/database.ts";
import { deleteKeysWithPrefix } from "../support/redis.ts";
import { graph, publishedFlow } from "../support/run-helpers.ts";
import { createDb, processTreeRssMb } from "./bench-support.ts";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const WORKER_RATE = 200;
/** How long the runs left open when the load stops may take to finish before the soak reports them. */
const DRAIN_PATIENCE_MS = 60_000;
const BODY = JSON.stringify({ qty: 4, note: "soak" });

ensureWebBuild();
const database = await createTestDatabase({ template: await ensureTemplateDatabase() });
const admin = new pg.Client({ connectionString: database.url });
await admin.connect();
await admin.query("UPDATE plans SET runs_per_minute = 10000000, concurrent_runs = 1000, run_timeout_seconds = 3600");
await admin.end();
const app = await startApp({
  databaseUrl: database.url,
  logDir: "test-results/bench-logs",
  env: { LOG_LEVEL: "warn", WORKER_CONCURRENCY: "50" },
});
const db = createDb({ url: database.url, maxConnections: 4 });

try {
  const { workspace, owner } = await seedWorkspace({ db });
  const openRuns = async () =>
    (
      await sqlStatementInWorkspace<{ open: number }>(
        db.sql,
        workspace.id,
        "SELECT count(*)::int AS open FROM runs WHERE status IN ('queued', 'running', 'waiting')",
        [],
      )
    )[0]?.open ?? 0;
  const flow = (path: string, responseMode: "sync" | "async", steps: [string, string, Record<string, unknown>][]) =>
    publishedFlow({
      db,
      workspaceId: workspace.id,
      actor: owner.actor,
      name: path,
      graph: graph(
        [["hook", "trigger.webhook", { path, responseMode }], ...steps],
        steps.map((step, i) => [steps[i - 1]?.[0] ?? "hook", step[0]]),
      ),
    });
  const price: [string, string, Record<string, unknown>] = [
    "price",
    "data.transform",
    { expression: "{ 'total': qty * 3 }" },
  ];
  await flow("sync", "sync", [price, ["reply", "http.respond", {}]]);
  await flow("async", "async", [price]);
  await flow("worker", "async", [price, ["wait", "flow.delay", { seconds: 0 }]]);
  await sleep(1_100); // the ingress keeps routes for a second

  const samples: number[] = [];
  const timer = setInterval(() => {
    samples.push(processTreeRssMb(app.pids.web) + processTreeRssMb(app.pids.worker));
  }, 5_000);
  const load = (path: string, connections: number, overallRate?: number) =>
    autocannon({
      url: `${app.baseUrl}/hooks/${workspace.slug}/${path}`,
      method: "POST",
      connections,
      duration: SECONDS,
      headers: { "content-type": "application/json" },
      body: BODY,
      ...(overallRate ? { overallRate } : {}),
    });
  const results = await Promise.all([load("sync", 20), load("async", 20), load("worker", 5, WORKER_RATE)]);
  clearInterval(timer);
  // The worker must keep up: runs still open when the load stops (the worker flow's, and any quick call handed
  // to the worker) are a backlog that grew.
  const openAtEnd = await openRuns();
  const drainStart = performance.now();
  let open = openAtEnd;
  while (open > 0 && performance.now() - drainStart < DRAIN_PATIENCE_MS) {
    await sleep(500);
    open = await openRuns();
  }
  const drainSeconds = (performance.now() - drainStart) / 1000;

  const perMinute: number[] = [];
  for (let i = 0; i < samples.length; i += 12) {
    const minute = samples.slice(i, i + 12);
    perMinute.push(minute.reduce((a, b) => a + b, 0) / minute.length);
  }
  const peak = Math.max(...samples);
  const second = perMinute[1] ?? perMinute[0] ?? 0;
  const last = perMinute.at(-1) ?? 0;
  const flat = last <= second * 1.1;
  console.log(
    `\nMemory soak, ${SECONDS} s: sync and async quick webhooks (20 connections each), worker flow at ${WORKER_RATE}/s`,
  );
  for (const [name, result] of [
    ["sync", results[0]],
    ["async", results[1]],
    ["worker", results[2]],
  ] as const) {
    console.log(
      `${name.padEnd(7)} ${result.requests.average.toFixed(0).padStart(6)} req/s  p99 ${result.latency.p99} ms  2xx ${result["2xx"]}  non-2xx ${result.non2xx}  errors ${result.errors}`,
    );
  }
  console.log(
    `runs open when the load stopped: ${openAtEnd}; ${open} still open after ${drainSeconds.toFixed(1)} s (target: the worker keeps up, a few seconds' worth at most)`,
  );
  console.log(`web + worker MB per minute: ${perMinute.map((mb) => mb.toFixed(0)).join(" ")}`);
  console.log(
    `peak ${peak.toFixed(0)} MB; last minute ${last.toFixed(0)} MB vs second ${second.toFixed(0)} MB (resolve at ≤ 600 MB peak, flat: ${peak <= 600 && flat ? "met" : "NOT met"})`,
  );
} finally {
  await db.$disconnect();
  await app.stop();
  await deleteKeysWithPrefix(app.redisPrefix);
  await database.drop();
}
