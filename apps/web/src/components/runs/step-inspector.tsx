"use client";
import type { RunDetail } from "@tributary/core";
import { StatusBadge } from "../status-badge.tsx";

type StepRun = RunDetail["steps"][number];

/** One step of a run: what went in and came out (body and headers), its logs, duration and error. */
export function StepInspector({ step }: { step: StepRun }) {
  return (
    <div className="space-y-3 text-sm">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-mono font-medium">{step.stepId}</span>
        <StatusBadge status={step.status} />
        <span className="text-xs text-slate-500">
          {step.durationMs} ms{step.attempt > 1 ? ` · attempt ${step.attempt}` : ""}
          {step.port && step.port !== "out" ? ` · output ${step.port}` : ""}
        </span>
      </div>
      {step.error ? (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-2 text-red-800 wrap-anywhere">
          {step.error.message}
          {step.error.code ? <span className="ml-1 font-mono text-xs">({step.error.code})</span> : null}
        </div>
      ) : null}
      <Message title="Input" message={step.input} />
      <Message title="Output" message={step.output} />
      {step.logs.length ? (
        <section>
          <h4 className="text-xs font-semibold text-slate-600 uppercase">Logs</h4>
          <ol className="mt-1 space-y-0.5 font-mono text-xs">
            {step.logs.map((log, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: log lines have no id; their order is their identity
              <li key={index} className={log.level === "error" ? "text-red-700" : "text-slate-700"}>
                <span className="text-slate-500">{new Date(log.at).toLocaleTimeString()}</span> {log.message}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </div>
  );
}

function Message({ title, message }: { title: string; message: StepRun["input"] }) {
  if (!message) return null;
  return (
    <section>
      <h4 className="text-xs font-semibold text-slate-600 uppercase">{title}</h4>
      <pre className="mt-1 max-h-64 overflow-auto rounded-md bg-slate-900 p-2 text-xs text-slate-100">
        {JSON.stringify(message.body, null, 2)}
      </pre>
      {message.headers.length ? (
        <details className="mt-1">
          <summary className="cursor-pointer text-xs text-slate-600">{message.headers.length} headers</summary>
          <table className="mt-1 w-full font-mono text-xs">
            <tbody>
              {message.headers.map((header) => (
                <tr key={`${header.name}=${header.value}`}>
                  <td className="pr-2 align-top text-slate-500">{header.name}</td>
                  <td className="break-all">{header.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </section>
  );
}
