"use client";
import { Handle, type Node, type NodeProps, Position } from "@xyflow/react";
import { memo } from "react";

export type StepNodeData = {
  title: string;
  stepId: string;
  kind: "trigger" | "action";
  category: string;
  outputs: string[];
  errors: string[];
  /** The step's state in the run being watched. */
  runState?: "running" | "succeeded" | "failed" | "skipped" | undefined;
  disabled: boolean;
};

export type StepNode = Node<StepNodeData, "step">;

const RUN_RING: Record<string, string> = {
  running: "ring-2 ring-blue-400 animate-pulse",
  succeeded: "ring-2 ring-emerald-400",
  failed: "ring-2 ring-red-500",
  skipped: "opacity-60",
};

/** A step on the canvas: its title and id, an input (actions), and one handle per named output. */
export const StepNodeView = memo(function StepNodeView({ data, selected }: NodeProps<StepNode>) {
  const invalid = data.errors.length > 0;
  return (
    <div
      data-testid={`step-${data.stepId}`}
      data-run-state={data.runState ?? ""}
      className={`w-52 rounded-lg border bg-white text-sm shadow-sm ${
        selected ? "border-brand-500 shadow-md" : invalid ? "border-red-400" : "border-slate-300"
      } ${data.runState ? (RUN_RING[data.runState] ?? "") : ""} ${data.disabled ? "opacity-60" : ""}`}
    >
      {data.kind === "action" ? (
        <Handle type="target" position={Position.Left} className="!size-3 !border-2 !border-white !bg-slate-500" />
      ) : null}
      <div className="flex items-start gap-2 px-3 py-2">
        <span
          aria-hidden
          className={`mt-0.5 size-2.5 shrink-0 rounded-full ${data.kind === "trigger" ? "bg-amber-500" : "bg-brand-500"}`}
        />
        <div className="min-w-0 flex-1">
          <div className="truncate font-medium text-slate-900">{data.title}</div>
          <div className="truncate font-mono text-xs text-slate-500">{data.stepId}</div>
        </div>
        {invalid ? (
          <span
            title={data.errors.join("\n")}
            className="rounded-full bg-red-100 px-1.5 text-xs font-semibold text-red-700"
          >
            {data.errors.length}
            <span className="sr-only"> problem{data.errors.length === 1 ? "" : "s"}</span>
          </span>
        ) : null}
      </div>
      {data.outputs.length > 1 ? (
        <div className="border-t border-slate-100 py-1">
          {data.outputs.map((output) => (
            <div key={output} className="relative pr-4 text-right text-xs text-slate-500">
              <span className={output === "error" ? "text-red-600" : ""}>{output}</span>
              <Handle
                type="source"
                id={output}
                position={Position.Right}
                className={`!size-3 !border-2 !border-white ${output === "error" ? "!bg-red-500" : "!bg-slate-500"}`}
              />
            </div>
          ))}
        </div>
      ) : (
        <Handle
          type="source"
          id={data.outputs[0] ?? "out"}
          position={Position.Right}
          className="!size-3 !border-2 !border-white !bg-slate-500"
        />
      )}
    </div>
  );
});
