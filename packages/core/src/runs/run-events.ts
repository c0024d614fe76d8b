// Live news of runs over Redis pub/sub: a waiting webhook caller learns its answer is ready, the builder
// watches steps turn green or red. Postgres holds the truth; these are only nudges to read it.
export type RunEvent =
  | { type: "step"; runId: string; key: string; stepId: string; status: "running" | "succeeded" | "failed" | "skipped" }
  | { type: "response"; runId: string }
  | { type: "run"; runId: string; status: "succeeded" | "failed" | "cancelled" | "waiting" };

/** Channels are not keys: ioredis does not prefix them, so the installation's prefix is added here. */
export function runEventsChannel({ prefix, runId }: { prefix: string; runId: string }): string {
  return `${prefix}run-events:${runId}`;
}
