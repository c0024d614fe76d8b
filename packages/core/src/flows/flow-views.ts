import type { FlowGraph } from "@tributary/engine";
import type { FlowPins } from "./flow-pins.ts";

export type FlowSummary = {
  id: string;
  name: string;
  description: string;
  status: "active" | "paused";
  currentVersion: number | null;
  updatedAt: Date;
};

export type FlowListItem = FlowSummary & {
  lastRun: { status: string; at: Date } | null;
  runsLastDay: number;
  failedLastDay: number;
};

export type FlowDetail = FlowSummary & {
  draft: FlowGraph;
  draftRevision: number;
  draftUpdatedBy: string | null;
  /** Sample messages pinned in the builder, by step id (a template's sample on its trigger; never read by runs). */
  pins: FlowPins;
  maxConcurrentRuns: number | null;
};
