// What a run's steps use in this worker: the workspace's connections, outbound HTTP under its policy, the client
// pools, the code sandbox under the plan's limits, flow calls, topics and the workspace's secrets.
import type { ClientPools } from "@tributary/connectors";
import type { Db, JobQueue, RunToExecute } from "@tributary/core";
import type { StepServices } from "@tributary/runner";
import type { Sandbox } from "@tributary/sandbox";
import type { createConnectionsCache } from "./connections-cache.ts";
import { flowCallsFor } from "./flow-calls.ts";
import type { createHttpClients } from "./http-clients.ts";
import { topicPublisherFor } from "./topic-publisher.ts";

export type StepServiceDeps = {
  db: Db;
  queue: JobQueue;
  sandbox: Sandbox;
  httpClients: ReturnType<typeof createHttpClients>;
  pools: ClientPools;
  connections: ReturnType<typeof createConnectionsCache>;
  /** Retry back-offs longer than this park the run. */
  parkBackoffsOverMs: number;
};

export function stepServicesFor(
  deps: StepServiceDeps,
  {
    run,
    secrets,
    compiled,
  }: {
    run: Pick<RunToExecute, "id" | "workspaceId" | "workspace" | "limits">;
    secrets: Record<string, string>;
    compiled: StepServices["compiled"];
  },
): StepServices {
  const { workspaceId, limits } = run;
  return {
    connection: (connectionId: string) => deps.connections({ workspaceId, connectionId }),
    http: deps.httpClients.forWorkspace(run.workspace),
    pools: deps.pools,
    sandbox: deps.sandbox,
    flows: flowCallsFor({ db: deps.db, queue: deps.queue, workspaceId, runId: run.id }),
    topics: topicPublisherFor({ db: deps.db, workspaceId }),
    secrets,
    compiled,
    codeLimits: { memoryMb: limits.codeMemoryMb, cpuMs: limits.codeCpuMs, wallMs: limits.codeWallMs },
    parkBackoffsOverMs: deps.parkBackoffsOverMs,
  };
}
