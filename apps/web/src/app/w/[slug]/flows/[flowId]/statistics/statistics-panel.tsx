"use client";
// A flow's statistics: runs, failures and durations over the last hour, day and week (from the worker's minute
// rollups), charted with recharts, with the slowest runs and the steps by time spent.
import { useQuery } from "@tanstack/react-query";
import type { DurationSummary, FlowStatistics, StatisticsPeriod } from "@tributary/core";
import Link from "next/link";
import { useState } from "react";
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { Alert } from "~/components/alert.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { StatusBadge } from "~/components/status-badge.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

const PERIODS: { key: StatisticsPeriod; label: string }[] = [
  { key: "1h", label: "Last hour" },
  { key: "24h", label: "Last 24 hours" },
  { key: "7d", label: "Last 7 days" },
];

/** 850 ms, 12.3 s, 4.2 min: durations as people read them. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function binLabel(at: string, period: StatisticsPeriod): string {
  const date = new Date(at);
  return period === "7d"
    ? date.toLocaleString(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" })
    : date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

export function StatisticsPanel({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const [period, setPeriod] = useState<StatisticsPeriod>("24h");
  const flow = useQuery(trpc.flows.get.queryOptions({ workspaceId: workspace.id, flowId }));
  const statistics = useQuery({
    ...trpc.flows.statistics.queryOptions({ workspaceId: workspace.id, flowId, period }),
    refetchInterval: 30_000,
  });
  const base = `/w/${workspace.slug}`;
  return (
    <div>
      <Link href={`${base}/flows/${flowId}`} className="text-sm text-slate-500 hover:text-slate-800">
        ← {flow.data?.name ?? "Flow"}
      </Link>
      <PageHeader
        title={`Statistics${flow.data ? `: ${flow.data.name}` : ""}`}
        description="Finished runs (succeeded or failed), from when a worker started each run to its end."
        actions={
          <div className="flex gap-1" role="tablist" aria-label="Period">
            {PERIODS.map(({ key, label }) => (
              <button
                key={key}
                type="button"
                role="tab"
                aria-selected={period === key}
                onClick={() => setPeriod(key)}
                className={`rounded-md px-3 py-1.5 text-sm ${period === key ? "bg-slate-900 text-white" : "bg-white text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50"}`}
              >
                {label}
              </button>
            ))}
          </div>
        }
      />
      {statistics.error ? <Alert>{describeError(statistics.error).message}</Alert> : null}
      {statistics.data ? (
        <StatisticsView statistics={statistics.data} base={base} />
      ) : statistics.isPending ? (
        <p className="text-sm text-slate-500">Loading statistics…</p>
      ) : null}
    </div>
  );
}

function StatisticsView({ statistics, base }: { statistics: FlowStatistics; base: string }) {
  const { period } = statistics;
  const series = statistics.series.map((point) => ({ ...point, label: binLabel(point.at, period) }));
  // Bins without runs have no point: few points are drawn as dots too, or a lone one would not show at all.
  const dot = series.length <= 30 ? { r: 3 } : false;
  return (
    <div className="space-y-6">
      <Card>
        <table className="w-full text-sm" aria-label="Summary">
          <thead className="border-b border-slate-200 text-left text-slate-500">
            <tr>
              <th className="px-4 py-2 font-medium">Period</th>
              <th className="px-4 py-2 text-right font-medium">Runs</th>
              <th className="px-4 py-2 text-right font-medium">Failures</th>
              <th className="px-4 py-2 text-right font-medium">Min</th>
              <th className="px-4 py-2 text-right font-medium">Mean</th>
              <th className="px-4 py-2 text-right font-medium">p95</th>
              <th className="px-4 py-2 text-right font-medium">Max</th>
            </tr>
          </thead>
          <tbody>
            {PERIODS.map(({ key, label }) => (
              <SummaryRow key={key} label={label} summary={statistics.summary[key]} current={key === period} />
            ))}
          </tbody>
        </table>
      </Card>
      {series.length === 0 ? (
        <Card className="px-4 py-6 text-center text-sm text-slate-500">No finished runs in this period.</Card>
      ) : (
        <div className="grid gap-6 lg:grid-cols-2">
          <Card className="p-4">
            <h2 className="mb-2 text-sm font-semibold">Runs and failures</h2>
            <div className="h-64" data-chart="runs">
              <ResponsiveContainer width="100%" height="100%">
                <ComposedChart data={series}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                  <XAxis dataKey="label" fontSize={12} minTickGap={24} />
                  <YAxis allowDecimals={false} fontSize={12} />
                  <Tooltip />
                  <Legend />
                  <Bar dataKey="runs" name="Runs" fill="#64748b" isAnimationActive={false} />
                  <Bar dataKey="failures" name="Failures" fill="#dc2626" isAnimationActive={false} />
                </ComposedChart>
              </ResponsiveContainer>
            </div>
          </Card>
          <Card className="p-4">
            <h2 className="mb-2 text-sm font-semibold">Duration</h2>
            <div className="h-64" data-chart="duration">
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={series}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                  <XAxis dataKey="label" fontSize={12} minTickGap={24} />
                  <YAxis fontSize={12} tickFormatter={(ms: number) => formatDuration(ms)} width={70} />
                  <Tooltip formatter={(value) => formatDuration(typeof value === "number" ? value : null)} />
                  <Legend />
                  <Line dataKey="meanMs" name="Mean" stroke="#2563eb" dot={dot} isAnimationActive={false} />
                  <Line dataKey="p95Ms" name="p95" stroke="#d97706" dot={dot} isAnimationActive={false} />
                  <Line dataKey="maxMs" name="Max" stroke="#dc2626" dot={dot} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            </div>
          </Card>
        </div>
      )}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <h2 className="border-b border-slate-200 px-4 py-2 text-sm font-semibold">Slowest runs</h2>
          <table className="w-full text-sm" aria-label="Slowest runs">
            <tbody>
              {statistics.slowestRuns.length === 0 ? (
                <tr>
                  <td className="px-4 py-3 text-slate-500">No runs.</td>
                </tr>
              ) : (
                statistics.slowestRuns.map((run) => (
                  <tr key={run.runId} className="border-b border-slate-100 last:border-0">
                    <td className="px-4 py-2">
                      <Link
                        href={`${base}/runs/${run.runId}`}
                        className="font-mono text-xs text-blue-700 hover:underline"
                      >
                        {run.runId.slice(0, 8)}…
                      </Link>
                    </td>
                    <td className="px-4 py-2">{run.status ? <StatusBadge status={run.status} /> : "deleted"}</td>
                    <td className="px-4 py-2 text-slate-500">{new Date(run.finishedMinute).toLocaleString()}</td>
                    <td className="px-4 py-2 text-right tabular-nums">{formatDuration(run.durationMs)}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </Card>
        <Card>
          <h2 className="border-b border-slate-200 px-4 py-2 text-sm font-semibold">Steps by time spent</h2>
          <table className="w-full text-sm" aria-label="Steps by time spent">
            <thead className="text-left text-slate-500">
              <tr>
                <th className="px-4 py-2 font-medium">Step</th>
                <th className="px-4 py-2 text-right font-medium">Runs</th>
                <th className="px-4 py-2 text-right font-medium">Failures</th>
                <th className="px-4 py-2 text-right font-medium">Mean</th>
                <th className="px-4 py-2 text-right font-medium">Max</th>
                <th className="px-4 py-2 text-right font-medium">Total</th>
              </tr>
            </thead>
            <tbody>
              {statistics.steps.map((step) => (
                <tr key={step.stepId} className="border-t border-slate-100">
                  <td className="px-4 py-2">
                    <span className="font-medium">{step.stepId}</span>{" "}
                    <span className="text-xs text-slate-500">{step.stepType}</span>
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums">{step.runs}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{step.failures}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{formatDuration(step.meanMs)}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{formatDuration(step.maxMs)}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{formatDuration(step.totalMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      </div>
    </div>
  );
}

function SummaryRow({ label, summary, current }: { label: string; summary: DurationSummary; current: boolean }) {
  return (
    <tr className={`border-t border-slate-100 ${current ? "bg-slate-50 font-medium" : ""}`} data-period-row={label}>
      <td className="px-4 py-2">{label}</td>
      <td className="px-4 py-2 text-right tabular-nums">{summary.runs}</td>
      <td className={`px-4 py-2 text-right tabular-nums ${summary.failures ? "text-red-700" : ""}`}>
        {summary.failures}
      </td>
      <td className="px-4 py-2 text-right tabular-nums">{formatDuration(summary.minMs)}</td>
      <td className="px-4 py-2 text-right tabular-nums">{formatDuration(summary.meanMs)}</td>
      <td className="px-4 py-2 text-right tabular-nums">{formatDuration(summary.p95Ms)}</td>
      <td className="px-4 py-2 text-right tabular-nums">{formatDuration(summary.maxMs)}</td>
    </tr>
  );
}
