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

/** The columns a run summary is made of, as both the list and the detail read them. */
export type RunSummaryRow = {
  id: string;
  flowId: string;
  status: RunStatus;
  trigger: string;
  isTest: boolean;
  messageId: string;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: unknown;
  flow: { name: string };
  flowVersion: { number: number };
};

export function toRunSummary(run: RunSummaryRow): RunSummary {
  return {
    id: run.id,
    flowId: run.flowId,
    flowName: run.flow.name,
    version: run.flowVersion.number,
    status: run.status,
    trigger: run.trigger,
    isTest: run.isTest,
    messageId: run.messageId,
    queuedAt: run.queuedAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
    error: (run.error as RunError | null) ?? null,
  };
}
