// What running a flow's steps takes in this worker, shared by the run executor and the subscription triggers'
// inline runs: the steps' services, the concurrency slots and the caches of flows, settings and secrets.
import type { RedisKeys } from "@tributary/queue";
import type { createPreparedFlows, createSecretsCache } from "@tributary/runner";
import type { Logger } from "pino";
import type { RunSettingsCache } from "./run-settings.ts";
import type { RunSlots } from "./run-slots.ts";
import type { StepServiceDeps } from "./step-services.ts";

export type RunDeps = StepServiceDeps & {
  keys: RedisKeys;
  slots: RunSlots;
  settings: RunSettingsCache;
  preparedFlows: ReturnType<typeof createPreparedFlows>;
  secrets: ReturnType<typeof createSecretsCache>;
  log: Logger;
};
