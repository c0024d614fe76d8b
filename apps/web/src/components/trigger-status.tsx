"use client";
// A subscription trigger's status as the worker holding it last saw: consuming, retrying or failing, with its last
// error and when, for the Flows list and the flow's page.
import type { TriggerStatus } from "@tributary/core";

const TONES: Record<TriggerStatus["state"], string> = {
  consuming: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  retrying: "bg-amber-50 text-amber-800 ring-amber-600/20",
  failing: "bg-red-50 text-red-700 ring-red-600/20",
};

function when(iso: string): string {
  return new Date(iso).toLocaleString();
}

export function TriggerStatusLine({ status, showStep = false }: { status: TriggerStatus; showStep?: boolean }) {
  const detail = status.lastError
    ? `${status.state === "consuming" ? "Last error" : "Error"} at ${when(status.lastErrorAt ?? status.since)}: ${status.lastError}`
    : `Since ${when(status.since)}`;
  return (
    <span className="flex flex-wrap items-center gap-1.5 text-xs" data-testid="trigger-status">
      <span className={`inline-flex rounded-full px-2 py-0.5 font-medium ring-1 ring-inset ${TONES[status.state]}`}>
        {showStep ? `${status.stepId}: ` : ""}
        {status.state}
        {status.state === "consuming" ? "" : ` (${status.failures} failure${status.failures === 1 ? "" : "s"})`}
      </span>
      <span className="text-slate-600" title={detail}>
        {detail.length > 120 ? `${detail.slice(0, 117)}…` : detail}
      </span>
    </span>
  );
}
