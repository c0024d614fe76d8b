// New runs of flows whose steps have no outside effects and never wait run whole in the worker: read without
// being taken up, run in memory, stored in one commit. What does not end cleanly runs the usual way. Each
// run's status changes are recorded by a trigger in this test's own database, so a run that was taken up
// (queued → running → …) is told apart from one stored whole (queued → succeeded).
import { cancelRun, rerunFromStep, startRun } from "@tributary/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let worker: WorkerProcess | undefined;
let admin: pg.Client;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: env.databaseUrl });
  await admin.connect();
  await admin.query(`
    CREATE TABLE run_transitions (run_id uuid, status text, seq bigserial);
    CREATE FUNCTION record_run_transition() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
      BEGIN INSERT INTO run_transitions (run_id, status) VALUES (NEW.id, NEW.status::text); RETURN NEW; END $$;
    CREATE TRIGGER record_run_transition AFTER UPDATE OF status ON runs
      FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION record_run_transition();`);
});
afterAll(async () => {
  await worker?.stop();
  await admin?.end();
});

const transitions = async (runId: string) =>
  (await admin.query("SELECT status FROM run_transitions WHERE run_id = $1 ORDER BY seq", [runId])).rows.map(
    (row) => row.status as string,
  );

async function flowOf(steps: Parameters<typeof graph>[0], edges: Parameters<typeof graph>[1]) {
  const { workspace, owner } = await seedWorkspace({ db: env.db });
  const flowId = await publishedFlow({
    db: env.db,
    workspaceId: workspace.id,
    actor: owner.actor,
    graph: graph(steps, edges),
  });
  const start = (body: unknown) =>
    startRun({ db: env.db, queue: env.queue, workspaceId: workspace.id, flowId, trigger: "manual", body });
  return { workspaceId: workspace.id, flowId, start };
}

const ensureWorker = async () => {
  worker ??= await startWorker({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix });
};

describe("whole runs", () => {
  it("stores a new run of steps without outside effects in one commit, every step with its messages", async () => {
    await ensureWorker();
    const { workspaceId, flowId, start } = await flowOf(
      [
        ["start", "trigger.manual"],
        ["shape", "data.transform", { expression: "{ 'total': $sum(items.price) }" }],
        ["big", "flow.branch", { condition: "total > 10" }],
        ["tax", "code.typescript", { source: "export default (m) => ({ ...m.body, tax: m.body.total * 0.2 })" }],
      ],
      [
        ["start", "shape"],
        ["shape", "big"],
        ["big", "tax", "true"],
      ],
    );
    const { runId } = await start({ items: [{ price: 8 }, { price: 7 }] });
    const run = await waitForRun({ db: env.db, workspaceId, runId });
    expect(run.status).toBe("succeeded");
    expect(run.output?.body).toEqual({ total: 15, tax: 3 });
    expect(run.steps.map((s) => [s.key, s.status])).toEqual([
      ["start", "succeeded"],
      ["shape", "succeeded"],
      ["big", "succeeded"],
      ["tax", "succeeded"],
    ]);
    expect(run.steps.find((s) => s.key === "tax")?.input?.body).toEqual({ total: 15 });
    // Never taken up: no "running" in between.
    expect(await transitions(runId)).toEqual(["succeeded"]);
    const stats = await admin.query("SELECT sum(runs)::int AS runs FROM flow_minute_stats WHERE flow_id = $1", [
      flowId,
    ]);
    expect(stats.rows[0]?.runs).toBe(1);
  });

  it("runs the usual way what fails: the failed step is recorded once, with its error", async () => {
    await ensureWorker();
    const { workspaceId, start } = await flowOf(
      [
        ["start", "trigger.manual"],
        ["shape", "data.transform", { expression: "{ 'id': id }" }],
        ["crash", "code.typescript", { source: "export default () => { throw new Error('no such customer'); }" }],
      ],
      [
        ["start", "shape"],
        ["shape", "crash"],
      ],
    );
    const { runId } = await start({ id: 7 });
    const run = await waitForRun({ db: env.db, workspaceId, runId });
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ stepId: "crash", message: expect.stringMatching(/no such customer/) });
    expect(run.steps.filter((s) => s.key === "crash")).toHaveLength(1);
    expect(await transitions(runId)).toEqual(["running", "failed"]);
  });

  it("takes up as usual a run whose flow waits", async () => {
    await ensureWorker();
    const { workspaceId, start } = await flowOf(
      [
        ["start", "trigger.manual"],
        ["pause", "flow.delay", { seconds: 0 }],
      ],
      [["start", "pause"]],
    );
    const { runId } = await start({});
    const run = await waitForRun({ db: env.db, workspaceId, runId });
    expect(run.status).toBe("succeeded");
    expect((await transitions(runId))[0]).toBe("running");
  });

  it("re-runs from a step on the steps copied before it, not from the start", async () => {
    await ensureWorker();
    const { workspaceId, start } = await flowOf(
      [
        ["start", "trigger.manual"],
        ["draw", "code.typescript", { source: "export default () => ({ drawn: Math.floor(Math.random() * 1e9) })" }],
        ["keep", "data.transform", { expression: "{ 'kept': drawn }" }],
      ],
      [
        ["start", "draw"],
        ["draw", "keep"],
      ],
    );
    const { runId } = await start({});
    const first = await waitForRun({ db: env.db, workspaceId, runId });
    const drawn = first.output?.body as { kept: number };
    const again = await rerunFromStep({
      db: env.db,
      queue: env.queue,
      workspaceId,
      runId,
      stepKey: "keep",
      version: "current",
    });
    const rerun = await waitForRun({ db: env.db, workspaceId, runId: again.runId });
    expect(rerun.status).toBe("succeeded");
    // The draw was copied, not made again: the re-run keeps what was drawn.
    expect(rerun.output?.body).toEqual(drawn);
    expect(rerun.steps.map((s) => s.key)).toEqual(["start", "draw", "keep"]);
    expect(await transitions(again.runId)).toEqual(["running", "succeeded"]);
  });

  it("loses nothing when its worker is killed mid-run: another worker runs it whole", async () => {
    await ensureWorker();
    const { workspaceId, start } = await flowOf(
      [
        ["start", "trigger.manual"],
        [
          "slow",
          "code.typescript",
          {
            source:
              "export default (m) => { const until = Date.now() + 700; while (Date.now() < until) {} return m.body; }",
          },
        ],
        ["done", "data.transform", { expression: "{ 'done': n }" }],
      ],
      [
        ["start", "slow"],
        ["slow", "done"],
      ],
    );
    const { runId } = await start({ n: 3 });
    // Killed once the worker has the run's job, well before its 700 ms step could be stored.
    const deadline = Date.now() + 15_000;
    while ((await env.queue.queue("runs").getActiveCount()) === 0) {
      if (Date.now() > deadline) throw new Error("the worker never took the run's job");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    await worker?.stop("SIGKILL");
    worker = undefined;
    expect(await transitions(runId)).toEqual([]);
    await ensureWorker();
    const run = await waitForRun({ db: env.db, workspaceId, runId, timeoutMs: 30_000 });
    expect(run.status).toBe("succeeded");
    expect(run.output?.body).toEqual({ done: 3 });
    expect(run.steps.map((s) => s.key)).toEqual(["start", "slow", "done"]);
    expect(await transitions(runId)).toEqual(["succeeded"]);
  });

  it("leaves a run cancelled before a worker got to it", async () => {
    // No worker while the run is queued and cancelled; one comes up afterwards and finds its job.
    await worker?.stop();
    worker = undefined;
    const { workspaceId, start } = await flowOf(
      [
        ["start", "trigger.manual"],
        ["shape", "data.transform", { expression: "{ 'id': id }" }],
      ],
      [["start", "shape"]],
    );
    const { runId } = await start({ id: 1 });
    await cancelRun({ db: env.db, queue: env.queue, workspaceId, runId });
    await ensureWorker();
    const later = await start({ id: 2 });
    expect((await waitForRun({ db: env.db, workspaceId, runId: later.runId })).status).toBe("succeeded");
    const run = await waitForRun({ db: env.db, workspaceId, runId });
    expect(run.status).toBe("cancelled");
    expect(run.steps).toEqual([]);
  });
});
