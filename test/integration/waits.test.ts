// Runs that wait: any number of parks (delays, retry back-offs), sub-flows called in a row, side by side and
// nested, failing and cancelled children, and workers killed while a run waits or works between two waits.
// Real worker processes, real Postgres and Redis.
import { cancelRun, createSecretBox, getRun, setSecret, startRun } from "@tributary/core";
import { scoped } from "@tributary/db";
import type { FlowGraph } from "@tributary/engine";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { type HttpTarget, json, startHttpTarget } from "../support/http-target.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { startWorker, TEST_ENCRYPTION_KEY, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let target: HttpTarget;
let seeded: SeededWorkspace;
/** Workers a test starts for itself (to kill them); the others share one. */
const workers: WorkerProcess[] = [];
let shared: WorkerProcess | undefined;

// Back-offs over 100 ms park the run, so a test can park many times in a few seconds.
const worker = async () => {
  const started = await startWorker({
    databaseUrl: env.databaseUrl,
    redisPrefix: env.redisPrefix,
    env: { PARK_BACKOFFS_OVER_MS: "100" },
  });
  workers.push(started);
  return started;
};
const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

beforeAll(async () => {
  target = await startHttpTarget();
  seeded = await seedWorkspace({ db: env.db });
  await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
    tx.workspace.update({ where: { id: seeded.workspace.id }, data: { allowedHosts: ["127.0.0.1"] } }),
  );
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop("SIGKILL")));
});
afterAll(async () => {
  await shared?.stop("SIGKILL");
  await target?.close();
});
const sharedWorker = async () => {
  shared ??= await startWorker({
    databaseUrl: env.databaseUrl,
    redisPrefix: env.redisPrefix,
    env: { PARK_BACKOFFS_OVER_MS: "100" },
  });
};

const workspaceId = () => seeded.workspace.id;
const publish = (flowGraph: FlowGraph, name = "Waits") =>
  publishedFlow({ db: env.db, workspaceId: workspaceId(), actor: seeded.owner.actor, graph: flowGraph, name });
const start = async (flowId: string, body: unknown = {}) =>
  (await startRun({ db: env.db, queue: env.queue, workspaceId: workspaceId(), flowId, trigger: "manual", body })).runId;
const finished = (runId: string, timeoutMs = 60_000) =>
  waitForRun({ db: env.db, workspaceId: workspaceId(), runId, timeoutMs });
const hits = (path: string) => target.received.filter((r) => r.path === path).length;
const runRow = (runId: string) =>
  scoped(env.db, { workspaceId: workspaceId() }, (tx) => tx.run.findUniqueOrThrow({ where: { id: runId } }));
const logEvents = async (runId: string) =>
  ((await runRow(runId)).log as { event: string }[]).map((entry) => entry.event);

/** A step that fails `failures` times with a 503 before it answers, retried with back-offs that park. */
function flaky(id: string, failures: number) {
  let calls = 0;
  target.route(`/${id}`, (_request, response) =>
    ++calls <= failures ? json(response, 503, { busy: true }) : json(response, 200, { ok: id }),
  );
  return [
    id,
    "http.request",
    { url: `${target.url}/${id}` },
    { attempts: failures + 1, initialDelayMs: 400, maxDelayMs: 400, multiplier: 1, retryOn: "transient" },
  ] as const;
}

/** A linear flow of `steps`, each [id, type, config?, retry?]. */
function chain(steps: (readonly [string, string, Record<string, unknown>?, Record<string, unknown>?])[]): FlowGraph {
  const all = [["start", "trigger.manual"] as const, ...steps];
  const built = graph(
    all.map(([id, type, config]) => [id, type, config ?? {}]),
    all.slice(1).map(([id], i) => [all[i]?.[0] ?? "start", id]),
  );
  for (const [id, , , retry] of steps) {
    const step = built.steps.find((s) => s.id === id);
    if (step && retry) Object.assign(step, { retry });
  }
  return built;
}

const delay = (id: string): [string, string, Record<string, unknown>] => [id, "flow.delay", { seconds: 0.3 }];

describe("runs that park", () => {
  beforeAll(sharedWorker);

  it.each([1, 3, 10])(
    "a run that parks %i times (delays and retry back-offs) succeeds",
    async (parks) => {
      const steps = Array.from({ length: parks }, (_, i) =>
        i % 2 === 0 ? delay(`wait${i}-${parks}`) : flaky(`retry${i}-${parks}`, 1),
      );
      const runId = await start(await publish(chain([...steps, ["done", "data.transform", { expression: "'done'" }]])));
      const run = await finished(runId);
      expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
      expect(run.output?.body).toBe("done");
      const events = await logEvents(runId);
      expect(events.filter((e) => e === "parked")).toHaveLength(parks);
      expect(events.filter((e) => e === "woke")).toHaveLength(parks);
      expect(events).not.toContain("taken_over");
      expect((await runRow(runId)).takeovers).toBe(0);
    },
    60_000,
  );

  it("counts a parked step's wait in its time and keeps its log: a delay lasts its delay, a retried step its back-off", async () => {
    const runId = await start(
      await publish(chain([delay("pause"), flaky("again", 1), ["done", "data.transform", { expression: "'done'" }]])),
    );
    const run = await finished(runId);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    const took = (stepId: string) => run.steps.find((step) => step.stepId === stepId)?.durationMs ?? 0;
    expect(took("pause")).toBeGreaterThanOrEqual(300);
    // Its back-off: 400 ms, give or take half (jitter).
    expect(took("again")).toBeGreaterThanOrEqual(200);
    // The failed attempt before the back-off is in the retried step's log, though the run parked in between.
    const again = run.steps.find((step) => step.stepId === "again");
    expect(again?.logs.map((line) => line.message)).toEqual([
      expect.stringMatching(/^Attempt 1 failed \(.*503.*\); trying again in \d+ ms\.$/),
    ]);
    // The step's own header says when it started too (the trigger's, before it, has a header of that name).
    const pause = run.steps.find((step) => step.stepId === "pause");
    const started = pause?.output?.headers.find(
      (header) => header.name === "x-tributary-step-started" && header.stepId === "pause",
    )?.value;
    expect(started).toBe(pause?.startedAt.toISOString());
    // The run went on from its stored steps after the wait: its output carries the same history of "pause" as
    // the step's stored output (its trace headers made again from its row, on both ways of reading it).
    const history = (headers: { stepId?: string }[] = []) => headers.filter((header) => header.stepId === "pause");
    expect(history(pause?.output?.headers)).toHaveLength(4);
    expect(history(run.output?.headers)).toEqual(history(pause?.output?.headers));
  });

  it("keeps a secret out of the run's row while a retried step waits: its carried log is redacted", async () => {
    const token = "tok-waits-s3cret-42";
    await setSecret({
      db: env.db,
      secretBox: createSecretBox({ currentKey: TEST_ENCRYPTION_KEY }),
      workspaceId: workspaceId(),
      actor: seeded.owner.actor,
      name: "WAIT_TOKEN",
      value: token,
    });
    // The API's error echoes the credentials it got, so the failed attempt's log line holds the secret.
    let calls = 0;
    target.route("/echo", (request, response) =>
      ++calls === 1 ? json(response, 503, { saw: request.headers.authorization }) : json(response, 200, { ok: true }),
    );
    const echo = [
      "echo",
      "http.request",
      { url: `${target.url}/echo`, headers: [{ name: "authorization", value: "Bearer {{ $secrets.WAIT_TOKEN }}" }] },
      { attempts: 2, initialDelayMs: 2_000, maxDelayMs: 2_000, multiplier: 1, retryOn: "transient" },
    ] as const;
    const runId = await start(await publish(chain([echo])));
    let parks = "";
    await until(async () => {
      const row = await runRow(runId);
      if (row.status === "waiting") parks = JSON.stringify(row.parks);
      return parks !== "";
    });
    expect(parks).toContain("[redacted]");
    expect(parks).not.toContain(token);
    expect((await finished(runId)).status).toBe("succeeded");
  });

  it("runs the retry policy of docs/flow-format.md end to end: every back-off parks, the run succeeds", async () => {
    let calls = 0;
    target.route("/docs-notify", (_request, response) =>
      ++calls <= 4 ? json(response, 503, { busy: true }) : json(response, 200, { notified: true }),
    );
    const flowGraph: FlowGraph = {
      version: 1,
      steps: [
        { id: "start", type: "trigger.manual", config: {} },
        {
          id: "notify",
          type: "http.request",
          config: { method: "POST", url: `${target.url}/docs-notify` },
          retry: { attempts: 5, initialDelayMs: 1000, maxDelayMs: 60000, multiplier: 2, retryOn: "transient" },
        },
      ],
      edges: [{ from: "start", to: "notify", output: "out" }],
    };
    const runId = await start(await publish(flowGraph));
    const run = await finished(runId);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(calls).toBe(5);
    expect(run.steps.find((s) => s.key === "notify")?.attempt).toBe(5);
    expect((await logEvents(runId)).filter((e) => e === "parked")).toHaveLength(4);
  }, 90_000);
});

describe("sub-flows", () => {
  beforeAll(sharedWorker);

  const child = (name: string, expression: string) =>
    publish(
      graph(
        [
          ["called", "trigger.subflow"],
          ["work", "flow.delay", { seconds: 0.2 }],
          ["shape", "data.transform", { expression }],
        ],
        [
          ["called", "work"],
          ["work", "shape"],
        ],
      ),
      name,
    );

  it("calls three flows in a row; the caller waits parked for each", async () => {
    const plusOne = await child("Plus one", "$ + 1");
    const runId = await start(
      await publish(
        chain([
          ["a", "flow.call", { flowId: plusOne }],
          ["b", "flow.call", { flowId: plusOne }],
          ["c", "flow.call", { flowId: plusOne }],
        ]),
      ),
      1,
    );
    const run = await finished(runId);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(run.output?.body).toBe(4);
    expect((await logEvents(runId)).filter((e) => e === "parked").length).toBeGreaterThanOrEqual(3);
  });

  it("calls three flows side by side and merges their results", async () => {
    const [double, triple, square] = await Promise.all([
      child("Double", "$ * 2"),
      child("Triple", "$ * 3"),
      child("Square", "$ * $"),
    ]);
    const runId = await start(
      await publish(
        graph(
          [
            ["start", "trigger.manual"],
            ["x2", "flow.call", { flowId: double }],
            ["x3", "flow.call", { flowId: triple }],
            ["sq", "flow.call", { flowId: square }],
            ["all", "flow.merge"],
          ],
          [
            ["start", "x2"],
            ["start", "x3"],
            ["start", "sq"],
            ["x2", "all"],
            ["x3", "all"],
            ["sq", "all"],
          ],
        ),
      ),
      5,
    );
    const run = await finished(runId);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(run.output?.body).toEqual({ x2: 10, x3: 15, sq: 25 });
  });

  it("nests calls three deep, and calls a flow inside a loop", async () => {
    const deepest = await child("Level 3", "$ & '>3'");
    const middle = await publish(
      graph(
        [
          ["called", "trigger.subflow"],
          ["down", "flow.call", { flowId: deepest }],
          ["shape", "data.transform", { expression: "$ & '>2'" }],
        ],
        [
          ["called", "down"],
          ["down", "shape"],
        ],
      ),
      "Level 2",
    );
    const top = await publish(
      graph(
        [
          ["called", "trigger.subflow"],
          ["down", "flow.call", { flowId: middle }],
          ["shape", "data.transform", { expression: "$ & '>1'" }],
        ],
        [
          ["called", "down"],
          ["down", "shape"],
        ],
      ),
      "Level 1",
    );
    const nested = await start(await publish(chain([["call", "flow.call", { flowId: top }]])), "0");
    const looped = await start(
      await publish(
        graph(
          [
            ["start", "trigger.manual"],
            ["each", "flow.loop", { items: "$", concurrency: 2 }],
            ["call", "flow.call", { flowId: deepest }],
          ],
          [
            ["start", "each"],
            ["each", "call", "item"],
          ],
        ),
      ),
      ["a", "b", "c"],
    );
    const [deep, loop] = await Promise.all([finished(nested), finished(looped)]);
    expect(deep.status, JSON.stringify(deep.error)).toBe("succeeded");
    expect(deep.output?.body).toBe("0>3>2>1");
    expect(loop.status, JSON.stringify(loop.error)).toBe("succeeded");
    expect(loop.output?.body).toEqual(["a>3", "b>3", "c>3"]);
  });

  it("a failing child fails the call step, and the call step's error path takes over", async () => {
    const failing = await publish(
      graph(
        [
          ["called", "trigger.subflow"],
          ["boom", "data.transform", { expression: "$error('out of stock')" }],
        ],
        [["called", "boom"]],
      ),
      "Failing child",
    );
    const runId = await start(
      await publish(
        graph(
          [
            ["start", "trigger.manual"],
            ["call", "flow.call", { flowId: failing }],
            ["fallback", "data.transform", { expression: "'handled: ' & error.message" }],
          ],
          [
            ["start", "call"],
            ["call", "fallback", "error"],
          ],
        ),
      ),
    );
    const run = await finished(runId);
    expect(run.status).toBe("succeeded");
    expect(run.output?.body).toMatch(/^handled: The called flow failed .*out of stock/);
    expect((await runRow(runId)).hadErrors).toBe(true);
  });

  it("cancelling a parent cancels the children it waits for", async () => {
    const slow = await publish(
      graph(
        [
          ["called", "trigger.subflow"],
          ["long", "flow.delay", { seconds: 600 }],
        ],
        [["called", "long"]],
      ),
      "Slow child",
    );
    const runId = await start(await publish(chain([["call", "flow.call", { flowId: slow }]])));
    await waitForRun({ db: env.db, workspaceId: workspaceId(), runId, until: (r) => r.status === "waiting" });
    const childId = await scoped(env.db, { workspaceId: workspaceId() }, async (tx) => {
      const found = await tx.run.findFirstOrThrow({ where: { parentRunId: runId } });
      return found.id;
    });
    await waitForRun({ db: env.db, workspaceId: workspaceId(), runId: childId, until: (r) => r.status === "waiting" });
    await cancelRun({ db: env.db, queue: env.queue, workspaceId: workspaceId(), runId });
    expect((await getRun({ db: env.db, workspaceId: workspaceId(), runId })).status).toBe("cancelled");
    const child = await getRun({ db: env.db, workspaceId: workspaceId(), runId: childId });
    expect(child.status).toBe("cancelled");
    expect(child.error?.message).toMatch(/with the run that called it/);
  });
});

describe("workers lost while runs wait", () => {
  // Only the workers these tests kill may take their runs.
  beforeAll(async () => {
    await shared?.stop("SIGKILL");
    shared = undefined;
  });

  it("a run whose worker is SIGKILLed while it is parked completes on another worker", async () => {
    const first = await worker();
    target.route("/before-park", (_request, response) => json(response, 200, { ok: true }));
    const runId = await start(
      await publish(
        chain([
          ["charge", "http.request", { method: "POST", url: `${target.url}/before-park` }],
          ["wait", "flow.delay", { seconds: 2 }],
          ["done", "data.transform", { expression: "'done'" }],
        ]),
      ),
    );
    await waitForRun({ db: env.db, workspaceId: workspaceId(), runId, until: (r) => r.status === "waiting" });
    first.child.kill("SIGKILL");
    await first.exited;
    await worker();
    const run = await finished(runId);
    expect(run.status).toBe("succeeded");
    expect(hits("/before-park")).toBe(1);
    expect((await runRow(runId)).takeovers).toBe(0);
  }, 120_000);

  it("a run whose worker is SIGKILLed while it runs a step between two parks completes; finished steps do not run again", async () => {
    const first = await worker();
    let slowCalls = 0;
    target.route("/between-first", (_request, response) => json(response, 200, { first: true }));
    target.route("/between-slow", (_request, response) => {
      // The first call hangs (its worker dies meanwhile); the one after the takeover answers.
      if (++slowCalls > 1) json(response, 200, { slow: true });
    });
    const runId = await start(
      await publish(
        chain([
          ["wait1", "flow.delay", { seconds: 0.3 }],
          ["first", "http.request", { url: `${target.url}/between-first` }],
          ["slow", "http.request", { url: `${target.url}/between-slow`, timeoutSeconds: 120 }],
          ["wait2", "flow.delay", { seconds: 0.3 }],
          ["done", "data.transform", { expression: "'done'" }],
        ]),
      ),
    );
    await until(() => slowCalls === 1);
    first.child.kill("SIGKILL");
    await first.exited;
    await worker();
    const run = await finished(runId);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(hits("/between-first")).toBe(1);
    expect(slowCalls).toBe(2);
    expect(run.steps.filter((s) => s.key === "first")).toHaveLength(1);
    expect((await runRow(runId)).takeovers).toBe(1);
    expect(await logEvents(runId)).toContain("taken_over");
  }, 120_000);
});
