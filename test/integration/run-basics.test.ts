// Runs end to end through real worker processes, Postgres and Redis.

import { startRun } from "@tributary/core";
import { scoped, sqlStatementInWorkspace } from "@tributary/db";
import { traceHeaders } from "@tributary/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

type StoredMessage = { headers: unknown[] | { added: unknown[] } } | { sameAs: string } | null;
/** The names of a step's trace headers, from their one definition. */
const TRACE_HEADERS = new Set(
  traceHeaders({ stepId: "any", startedAt: new Date(), finishedAt: new Date(), attempt: 1 }).map((h) => h.name),
);
const headersWritten = (message: StoredMessage) =>
  !message || "sameAs" in message
    ? 0
    : Array.isArray(message.headers)
      ? message.headers.length
      : message.headers.added.length;

const env = useTestEnvironment();
let worker: WorkerProcess;

beforeAll(async () => {
  worker = await startWorker({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix });
});
afterAll(async () => {
  await worker?.stop();
});

describe("runs", () => {
  it("runs transform → branch → code, checkpointing every step with its messages", async () => {
    const { workspace, owner } = await seedWorkspace({ db: env.db });
    const flowId = await publishedFlow({
      db: env.db,
      workspaceId: workspace.id,
      actor: owner.actor,
      graph: graph(
        [
          ["start", "trigger.manual"],
          ["shape", "data.transform", { expression: '{ "total": $sum(items.price), "customer": customer }' }],
          ["big", "flow.branch", { condition: "total > 10" }],
          ["vip", "code.typescript", { source: "export default (m) => ({ ...m.body, vip: true })" }],
          ["small", "data.set-headers", { headers: [{ name: "x-size", value: "small" }] }],
        ],
        [
          ["start", "shape"],
          ["shape", "big"],
          ["big", "vip", "true"],
          ["big", "small", "false"],
        ],
      ),
    });
    const started = await startRun({
      db: env.db,
      queue: env.queue,
      workspaceId: workspace.id,
      flowId,
      trigger: "manual",
      body: { customer: "ada", items: [{ price: 8 }, { price: 5 }] },
    });
    expect(started.enqueued).toBe(true);
    const run = await waitForRun({ db: env.db, workspaceId: workspace.id, runId: started.runId });
    expect(run.status).toBe("succeeded");
    expect(run.output?.body).toEqual({ total: 13, customer: "ada", vip: true });
    expect(run.output?.id).toBe(started.messageId);
    expect(run.steps.map((s) => [s.key, s.status])).toEqual(
      expect.arrayContaining([
        ["start", "succeeded"],
        ["shape", "succeeded"],
        ["big", "succeeded"],
        ["vip", "succeeded"],
        ["small", "skipped"],
      ]),
    );
    const shape = run.steps.find((s) => s.key === "shape");
    expect(shape?.input?.body).toEqual({ customer: "ada", items: [{ price: 8 }, { price: 5 }] });
    expect(shape?.output?.headers.map((h) => h.name)).toEqual(
      expect.arrayContaining([
        "x-tributary-step",
        "x-tributary-step-started",
        "x-tributary-step-finished",
        "x-tributary-step-attempt",
      ]),
    );
    // History is append-only: later messages carry the earlier steps' headers first.
    const vip = run.steps.find((s) => s.key === "vip");
    expect(vip?.output?.headers.slice(0, shape?.output?.headers.length ?? 0)).toEqual(shape?.output?.headers);
    // Stored, each header is written once — a message names the list it extends and adds the rest — and a
    // step's four trace headers not at all: they are made again from its row.
    const stored = await sqlStatementInWorkspace<{ input: StoredMessage; output: StoredMessage }>(
      env.db.sql,
      workspace.id,
      "SELECT input, output FROM step_runs WHERE run_id = $1",
      [run.id],
    );
    const written = stored.flatMap((row) => [row.input, row.output]).map(headersWritten);
    const distinct = new Set(
      run.steps
        .flatMap((s) => [...(s.input?.headers ?? []), ...(s.output?.headers ?? [])])
        .filter((h) => !TRACE_HEADERS.has(h.name))
        .map((h) => JSON.stringify(h)),
    );
    expect(written.reduce((sum, n) => sum + n, 0)).toBe(distinct.size);
    const outputs = stored.flatMap((row) =>
      row.output && "headers" in row.output ? [row.output.headers as { trace?: boolean }] : [],
    );
    expect(outputs.map((headers) => headers.trace)).toEqual(outputs.map(() => true));
  });

  it("records a failure with the failing step and its error", async () => {
    const { workspace, owner } = await seedWorkspace({ db: env.db });
    const flowId = await publishedFlow({
      db: env.db,
      workspaceId: workspace.id,
      actor: owner.actor,
      graph: graph(
        [
          ["start", "trigger.manual"],
          ["crash", "code.typescript", { source: "export default () => { throw new Error('no such customer'); }" }],
        ],
        [["start", "crash"]],
      ),
    });
    const { runId } = await startRun({
      db: env.db,
      queue: env.queue,
      workspaceId: workspace.id,
      flowId,
      trigger: "manual",
      body: {},
    });
    const run = await waitForRun({ db: env.db, workspaceId: workspace.id, runId });
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ stepId: "crash", message: expect.stringMatching(/no such customer/) });
    expect(run.steps.find((s) => s.key === "crash")).toMatchObject({
      status: "failed",
      error: { message: expect.stringMatching(/no such customer/) },
    });
    void scoped;
  });
});
