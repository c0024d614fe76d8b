// What a code step gets and gives back, and what the worker and a sandbox process say to each other
// (JSON over IPC).
import type { CodeLimits } from "./limits.ts";

/** The name the step's TypeScript goes by in errors, and the name its compiled script runs as. */
export const CODE_STEP_FILENAME = "code-step.ts";
export const CODE_STEP_SCRIPT_FILENAME = "code-step.js";

export type LogLine = { level: "log" | "info" | "warn" | "error" | "debug"; message: string; at: string };

export const LOG_LEVELS: readonly LogLine["level"][] = ["log", "info", "warn", "error", "debug"];

export type CodeStepContext = {
  run: { id: string; flowId: string; workspaceId: string; stepId: string; attempt: number; isTest: boolean };
  /** The secrets the flow passes to the step, by name; frozen inside the step. */
  secrets: Record<string, string>;
};

export type CodeStepMessage = { id: string; headers: { name: string; value: string }[]; body: unknown };

export type SandboxErrorCode =
  | "timeout"
  | "cpu_limit"
  | "memory_limit"
  | "output_too_large"
  | "runtime_error"
  | "invalid_result"
  | "sandbox_crashed";

export const SANDBOX_ERROR_CODES: readonly SandboxErrorCode[] = [
  "timeout",
  "cpu_limit",
  "memory_limit",
  "output_too_large",
  "runtime_error",
  "invalid_result",
  "sandbox_crashed",
];

/**
 * `result.body` is plain JSON. `result.headers` is there only when the step returned
 * `ctx.message({ body, headers })` with headers: they are to be appended, the message keeps its history.
 * `error.stack` holds only the step's own frames, at its TypeScript lines. `cpuMs` is the isolate's CPU time.
 */
export type CodeStepResult =
  | { ok: true; result: { body: unknown; headers?: { name: string; value: string }[] }; logs: LogLine[]; cpuMs: number }
  | { ok: false; error: { code: SandboxErrorCode; message: string; stack?: string }; logs: LogLine[]; cpuMs?: number };

export type RunRequest = {
  type: "run";
  id: number;
  /** Isolates are never shared between workspaces. */
  workspaceId: string;
  code: string;
  message: CodeStepMessage;
  ctx: CodeStepContext;
  limits: CodeLimits;
};

/**
 * The worker sends the steps waiting for a process in one message and gets their results back in one: on a
 * busy worker each message costs system calls and wake-ups on both sides, and the steps run one after
 * another in the process either way.
 */
export type RunBatch = { type: "batch"; requests: RunRequest[] };

export type SandboxReply = { type: "ready" } | { type: "results"; results: { id: number; result: CodeStepResult }[] };

/** How the parent configures a sandbox process (its one command-line argument, as JSON). */
export type SandboxProcessConfig = { isolates: number };
