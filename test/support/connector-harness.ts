// For connector tests: a real worker, a workspace that may reach loopback (where the test servers are),
// and shortcuts to save a connection, ping it, and run a flow to its end.
import {
  type Actor,
  createSecretBox,
  type RunDetail,
  saveConnection,
  startRun,
  testConnection,
  updateWorkspaceSettings,
} from "@tributary/core";
import type { FlowGraph } from "@tributary/engine";
import { afterAll, beforeAll } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import type { TestEnvironment } from "./environment.ts";
import { publishedFlow, waitForRun } from "./run-helpers.ts";
import { startWorker, TEST_ENCRYPTION_KEY, type WorkerProcess } from "./worker-process.ts";

export type ConnectorHarness = {
  workspaceId: string;
  actor: Actor;
  worker: WorkerProcess;
  /** Stops the worker (SIGKILL: as if it crashed) and starts a new one. */
  restartWorker(signal?: NodeJS.Signals): Promise<void>;
  connect(type: string, config: Record<string, unknown>, name?: string): Promise<string>;
  ping(connectionId: string): Promise<{ ok: boolean; message: string }>;
  runFlow(graph: FlowGraph, body?: unknown): Promise<RunDetail>;
  publish(graph: FlowGraph): Promise<string>;
};

export function useConnectorHarness(
  env: TestEnvironment,
  { workerEnv = {} }: { workerEnv?: Record<string, string> } = {},
): ConnectorHarness {
  const secretBox = createSecretBox({ currentKey: TEST_ENCRYPTION_KEY });
  const harness = {} as ConnectorHarness;
  beforeAll(async () => {
    const start = () => startWorker({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix, env: workerEnv });
    const worker = await start();
    const seeded = await seedWorkspace({ db: env.db });
    const workspaceId = seeded.workspace.id;
    const actor = seeded.owner.actor;
    await updateWorkspaceSettings({ db: env.db, workspaceId, actor, allowedHosts: ["127.0.0.1", "localhost"] });
    let connections = 0;
    Object.assign(harness, {
      workspaceId,
      actor,
      worker,
      async restartWorker(signal: NodeJS.Signals = "SIGKILL") {
        await harness.worker.stop(signal);
        harness.worker = await start();
      },
      connect: async (type: string, config: Record<string, unknown>, name = `${type} ${++connections}`) =>
        (await saveConnection({ db: env.db, secretBox, workspaceId, actor, name, type, config })).id,
      ping: (connectionId: string) => testConnection({ db: env.db, secretBox, workspaceId, connectionId }),
      publish: (flowGraph: FlowGraph) => publishedFlow({ db: env.db, workspaceId, actor, graph: flowGraph }),
      async runFlow(flowGraph: FlowGraph, body: unknown = {}) {
        const flowId = await publishedFlow({ db: env.db, workspaceId, actor, graph: flowGraph });
        const { runId } = await startRun({
          db: env.db,
          queue: env.queue,
          workspaceId,
          flowId,
          trigger: "manual",
          body,
        });
        return waitForRun({ db: env.db, workspaceId, runId });
      },
    } satisfies ConnectorHarness);
  });
  afterAll(async () => {
    await harness.worker?.stop();
  });
  return harness;
}
