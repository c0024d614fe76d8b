// Fairness between tenants: workspace B calls its sync webhook 5 times a second, first alone, then while
// workspace A floods its async webhook with 50 connections (A's plan allowing it). Prints B's latency in both
// phases and the ratio of B's p95 under A's flood to B's p95 alone: one tenant's load should not be everyone's.
//   BENCH_SECONDS=20 node test/bench/fairness.bench.ts
import { setTimeout as sleep } from "node:timers/promises";
import { scoped } from "@tributary/db";
import autocannon from "autocannon";
import pg from "pg";
import { ensureWebBuild } from "../../scripts/lib/build.ts";
import { seedWorkspace } from "../factories/seed.ts";
import { startApp } from "../support/app-process.ts";
import { createTestDatabase, ensureTemplateDatabase } from "../support/database.ts";
import { deleteKeysWithPrefix } from "../support/redis.ts";
import { graph, publishedFlow } from "../support/run-helpers.ts";
import { createDb } from "./bench-support.ts";

// 20 s: B's p95 is then that of 100 calls, which one slow call does not move (of 50 it was the third-worst).
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const B_PER_SECOND = 5;
const TARGET = 3;
const BODY = JSON.stringify({ qty: 4 });

/** B's calls: one every 1/B_PER_SECOND s for the phase, each timed; failures are counted, not timed. */
async function callsOfB(url: string): Promise<{ latencies: number[]; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  const calls: Promise<void>[] = [];
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) {
    calls.push(
      (async () => {
        const started = performance.now();
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: BODY,
        }).catch(() => null);
        if (response?.ok) latencies.push(performance.now() - started);
        else failures++;
        await response?.arrayBuffer();
      })(),
    );
    await sleep(1000 / B_PER_SECOND);
  }
  await Promise.all(calls);
  return { latencies, failures };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

ensureWebBuild();
const database = await createTestDatabase({ template: await ensureTemplateDatabase() });
const db = createDb({ url: database.url, maxConnections: 4 });
const app = await startApp({
  databaseUrl: database.url,
  logDir: "test-results/bench-logs",
  env: { LOG_LEVEL: "warn" },
});

try {
  const pricing = (path: string, responseMode: "sync" | "async") =>
    graph(
      [
        ["hook", "trigger.webhook", { path, responseMode }],
        ["price", "data.transform", { expression: "{ 'total': qty * 3 }" }],
        ["reply", "http.respond", {}],
      ],
      [
        ["hook", "price"],
        ["price", "reply"],
      ],
    );
  const a = await seedWorkspace({ db, name: "Flooding A" });
  const b = await seedWorkspace({ db, name: "Steady B" });
  // A's plan allows its flood: the team plan's limits, raised so that only fairness can protect B.
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query("UPDATE plans SET runs_per_minute = 10000000, concurrent_runs = 1000 WHERE id = 'team'");
  await admin.end();
  await scoped(db, { workspaceId: a.workspace.id }, (tx) =>
    tx.workspace.update({ where: { id: a.workspace.id }, data: { planId: "team" } }),
  );
  await publishedFlow({ db, workspaceId: a.workspace.id, actor: a.owner.actor, graph: pricing("flood", "async") });
  await publishedFlow({ db, workspaceId: b.workspace.id, actor: b.owner.actor, graph: pricing("steady", "sync") });
  const hook = (slug: string, path: string) => `${app.baseUrl}/hooks/${slug}/${path}`;
  const bUrl = hook(b.workspace.slug, "steady");

  // Warm-up: JITs, pools, the ingress's route caches.
  await callsOfB(bUrl);
  const alone = await callsOfB(bUrl);
  const flood = autocannon({
    url: hook(a.workspace.slug, "flood"),
    method: "POST",
    connections: 50,
    duration: SECONDS + 2,
    headers: { "content-type": "application/json" },
    body: BODY,
  });
  await sleep(1_000); // the flood under way before B is measured
  const flooded = await callsOfB(bUrl);
  const floodResult = await flood;

  const p95Alone = percentile(alone.latencies, 95);
  const p95Flooded = percentile(flooded.latencies, 95);
  const ratio = p95Flooded / p95Alone;
  const describe = (name: string, calls: { latencies: number[]; failures: number }) =>
    `${name.padEnd(26)} p50 ${percentile(calls.latencies, 50).toFixed(0).padStart(5)} ms  p95 ${percentile(
      calls.latencies,
      95,
    )
      .toFixed(0)
      .padStart(5)} ms  answered ${calls.latencies.length}  failed ${calls.failures}`;
  console.log(`\nFairness, ${SECONDS} s per phase: B calls its sync webhook ${B_PER_SECOND}×/s`);
  console.log(describe("B alone", alone));
  console.log(describe("B while A floods", flooded));
  console.log(
    `A's flood: ${floodResult.requests.average.toFixed(0)} req/s, 2xx ${floodResult["2xx"]}, non-2xx ${floodResult.non2xx}`,
  );
  console.log(
    `ratio B's p95 flooded / alone: ${ratio.toFixed(1)}×  (resolve at ≤ ${TARGET}×) ${ratio <= TARGET ? "met" : "NOT met"}`,
  );
} finally {
  await db.$disconnect();
  await app.stop();
  await deleteKeysWithPrefix(app.redisPrefix);
  await database.drop();
}
