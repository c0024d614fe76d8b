// Testing one step of the draft from the builder (flows.testStep) and pinning sample messages (flows.savePins),
// through the tRPC API as each role, with real worker processes, Postgres and Redis.
import { scoped } from "@tributary/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import { callerFor, outcome } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph, waitForRun } from "../support/run-helpers.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let worker: WorkerProcess;

beforeAll(async () => {
  worker = await startWorker({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix });
});
afterAll(async () => {
  await worker?.stop();
});

const draft = graph(
  [
    ["start", "trigger.manual"],
    ["lookup", "data.transform", { expression: '{ "tier": "gold" }' }],
    ["shape", "data.transform", { expression: '{ "total": $sum(items.price), "tier": $steps.lookup.body.tier }' }],
    ["after", "data.transform", { expression: '{ "never": true }' }],
    [
      "code",
      "code.typescript",
      { source: "export default (m: { body: { n: number } }) => ({ doubled: m.body.n * 2 })" },
    ],
    ["call", "http.request", { url: "http://10.255.255.1/" }],
  ],
  [
    ["start", "lookup"],
    ["lookup", "shape"],
    ["shape", "after"],
    ["start", "code"],
    ["start", "call"],
  ],
);

async function draftFlow() {
  const seeded = await seedWorkspace({ db: env.db, roles: ["editor", "operator", "viewer"] });
  const asOwner = callerFor({ env, user: seeded.owner });
  const flow = await asOwner.flows.create({ workspaceId: seeded.workspace.id, name: "Orders", graph: draft });
  const as = (role: "editor" | "operator" | "viewer") => {
    const user = seeded.members[role];
    if (!user) throw new Error(`The seeded workspace has no ${role}.`);
    return callerFor({ env, user });
  };
  return { ...seeded, flowId: flow.id, as };
}

describe("testing one step", () => {
  it("runs only that step on the given input, with pinned outputs of other steps as $steps", async () => {
    const { workspace, flowId, as } = await draftFlow();
    const started = await as("editor").flows.testStep({
      workspaceId: workspace.id,
      flowId,
      stepId: "shape",
      input: { body: { items: [{ price: 8 }, { price: 5 }] } },
      steps: { lookup: { body: { tier: "silver" } } },
    });
    const run = await waitForRun({ db: env.db, workspaceId: workspace.id, runId: started.runId });
    expect(run.status).toBe("succeeded");
    expect(run.isTest).toBe(true);
    const shape = run.steps.find((step) => step.stepId === "shape");
    expect(shape?.status).toBe("succeeded");
    expect(shape?.input?.body).toEqual({ items: [{ price: 8 }, { price: 5 }] });
    expect(shape?.output?.body).toEqual({ total: 13, tier: "silver" });
    // Nothing after it (nor beside it) ran.
    expect(run.steps.map((step) => step.stepId).sort()).toEqual(["lookup", "shape", "tested-step-input"]);
  });

  it("runs a code step in the sandbox of the workers", async () => {
    const { workspace, flowId, as } = await draftFlow();
    const started = await as("editor").flows.testStep({
      workspaceId: workspace.id,
      flowId,
      stepId: "code",
      input: { body: { n: 21 } },
    });
    const run = await waitForRun({ db: env.db, workspaceId: workspace.id, runId: started.runId });
    expect(run.status).toBe("succeeded");
    expect(run.steps.find((step) => step.stepId === "code")?.output?.body).toEqual({ doubled: 42 });
  });

  it("goes through the outbound guard: a private address is refused", async () => {
    const { workspace, flowId, as } = await draftFlow();
    const started = await as("editor").flows.testStep({
      workspaceId: workspace.id,
      flowId,
      stepId: "call",
      input: { body: {} },
    });
    const run = await waitForRun({ db: env.db, workspaceId: workspace.id, runId: started.runId });
    expect(run.status).toBe("failed");
    expect(run.error?.message).toMatch(/private address/);
  });

  it("refuses a trigger, a step that is not in the draft, and a step with config problems", async () => {
    const { workspace, flowId, as } = await draftFlow();
    const editor = as("editor");
    await expect(
      editor.flows.testStep({ workspaceId: workspace.id, flowId, stepId: "start", input: { body: {} } }),
    ).rejects.toThrow(/pin a sample message on it/);
    expect(
      await outcome(editor.flows.testStep({ workspaceId: workspace.id, flowId, stepId: "gone", input: { body: {} } })),
    ).toBe("NOT_FOUND");
    const broken = await editor.flows.create({
      workspaceId: workspace.id,
      name: "Broken",
      graph: graph(
        [
          ["start", "trigger.manual"],
          ["bad", "data.transform", { expression: "{ total: " }],
        ],
        [["start", "bad"]],
      ),
    });
    await expect(
      editor.flows.testStep({ workspaceId: workspace.id, flowId: broken.id, stepId: "bad", input: { body: {} } }),
    ).rejects.toThrow(/problem/);
  });

  it("is for editors: a viewer and an operator may not run it", async () => {
    const { workspace, flowId, as } = await draftFlow();
    for (const role of ["viewer", "operator"] as const) {
      const code = await outcome(
        as(role).flows.testStep({ workspaceId: workspace.id, flowId, stepId: "shape", input: { body: {} } }),
      );
      expect(code).toBe("FORBIDDEN");
    }
    const runs = await scoped(env.db, { workspaceId: workspace.id }, (tx) => tx.run.count({ where: { flowId } }));
    expect(runs).toBe(0);
  });
});

describe("pinned messages", () => {
  it("are kept with the draft, for editors only, and publishing leaves them out", async () => {
    const { workspace, owner, flowId, as } = await draftFlow();
    const pins = {
      start: { body: { items: [{ price: 1 }] }, headers: [{ name: "x-source", value: "shop" }] },
      shape: { body: { total: 1 }, headers: [] },
    };
    await as("editor").flows.savePins({ workspaceId: workspace.id, flowId, pins });
    expect((await as("viewer").flows.get({ workspaceId: workspace.id, flowId })).pins).toEqual(pins);
    expect(await outcome(as("viewer").flows.savePins({ workspaceId: workspace.id, flowId, pins: {} }))).toBe(
      "FORBIDDEN",
    );
    expect(
      await outcome(
        as("editor").flows.savePins({
          workspaceId: workspace.id,
          flowId,
          pins: { huge: { body: "x".repeat(1_100_000) } },
        }),
      ),
    ).toBe("PAYLOAD_TOO_LARGE");
    const published = await callerFor({ env, user: owner }).flows.publish({ workspaceId: workspace.id, flowId });
    const version = await scoped(env.db, { workspaceId: workspace.id }, (tx) =>
      tx.flowVersion.findFirst({ where: { flowId, number: published.number }, select: { graph: true } }),
    );
    expect(JSON.stringify(version?.graph)).not.toContain("x-source");
  });
});
