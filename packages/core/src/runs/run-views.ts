import type { FlowGraph, Message } from "@tributary/engine";

export type RunStatus = "queued" | "running" | "waiting" | "succeeded" | "failed" | "cancelled";

export const TERMINAL_STATUSES: readonly RunStatus[] = ["succeeded", "failed", "cancelled"];

export type RunError = { message: string; code?: string; stepId?: string; key?: string };

/**
 * Why an activation of a waiting run waits: a time (a delay, a long back-off) or a called flow's run. `since`
 * is when the activation started, before its first park: its step's time includes the wait. `logs` are the
 * step's last log lines before it parked (a retried step's failed attempts), carried into its checkpoint.
 */
export type Park = {
  attempt: number;
  until?: string;
  childRunId?: string;
  since?: string;
  logs?: { level: string; message: string; at: string }[];
};

/** A waiting run's parked activations, by activation key. */
export type Parks = Record<string, Park>;

/** What happened to a run beyond its steps, in its log. */
export type RunLogEntry =
  | { at: string; event: "parked"; wakeAt: string; waitingFor: ({ key: string; stepId: string } & Park)[] }
  | { at: string; event: "woke" }
  | { at: string; event: "taken_over" }
  | { at: string; event: "handed_back" };

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
  /** A step failed and its error path took over (the run may still have succeeded). */
  hadErrors: boolean;
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
  /** The run it re-runs, if it is a re-run. */
  rerunOfId: string | null;
  /** The flow's published version now (a re-run runs it by default), or null when it has none. */
  currentVersion: number | null;
  /** Workers lost while running it (each time another took it over). */
  takeovers: number;
  /** Its life beyond its steps: parked, woke, taken over, handed back. */
  log: RunLogEntry[];
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
  hadErrors: boolean;
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
    hadErrors: run.hadErrors,
  };
}
