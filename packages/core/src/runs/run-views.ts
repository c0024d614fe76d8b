import type { FlowGraph, Message } from "@tributary/engine";

export type RunStatus = "queued" | "running" | "waiting" | "succeeded" | "failed" | "cancelled";

export const TERMINAL_STATUSES: readonly RunStatus[] = ["succeeded", "failed", "cancelled"];

export type RunError = { message: string; code?: string; stepId?: string; key?: string };

export type Park = { key: string; attempt: number; until?: string; childRunId?: string };

export type RunSummary = {
  id: string;
  flowId: string;
  flowName: string;
  version: number;
  status: RunStatus;
  trigger: string;
  isTest: boolean;
  messageId: string;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  error: RunError | null;
};

export type StepRunView = {
  key: string;
  stepId: string;
  stepType: string;
  status: "succeeded" | "failed" | "skipped";
  port: string | null;
  input: Message | null;
  output: Message | null;
  logs: { level: string; message: string; at: string }[];
  error: RunError | null;
  attempt: number;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
};

export type RunDetail = RunSummary & {
  input: Message;
  output: Message | null;
  response: { status: number; headers: Record<string, string>; body: unknown } | null;
  parentRunId: string | null;
  /** The flow as this run ran it (its version), to draw the run on. */
  graph: FlowGraph;
  steps: StepRunView[];
};
