// Running a flow's steps, shared by the worker (every run) and the web process (sync webhooks' quick runs).
export { createAlertHook, type RunEndedHook } from "./alert-hook.ts";
export { executeStep, recordSynthetic, type StepOutcome, type StepServices } from "./execute-step.ts";
export { createPreparedFlows } from "./prepared-flows.ts";
export { type InMemoryRun, runInMemory } from "./run-in-memory.ts";
export { createInlineRuns, type InlineAnswer, type InlineCall, type InlineRuns } from "./run-inline.ts";
export { createSecretsCache } from "./secrets-cache.ts";
