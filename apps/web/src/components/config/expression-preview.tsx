"use client";
// The live preview under expression fields: what the expression gives for the builder's sample message.
import { useQuery } from "@tanstack/react-query";
import { createContext, useContext, useDeferredValue } from "react";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { useTRPC } from "~/trpc/react.tsx";
import { ExpressionHintsContext } from "./expression-hints.ts";

/** The sample message body previews evaluate against (undefined: no preview, e.g. outside the builder). */
export const SampleMessage = createContext<unknown>(undefined);

export function ExpressionPreview({ kind, source }: { kind: "expression" | "template"; source: string }) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const sample = useContext(SampleMessage);
  const { steps } = useContext(ExpressionHintsContext);
  const deferred = useDeferredValue(source);
  const enabled = sample !== undefined && deferred.trim() !== "";
  const preview = useQuery({
    ...trpc.flows.previewExpression.queryOptions({ workspaceId: workspace.id, kind, source: deferred, sample, steps }),
    enabled,
    placeholderData: (previous) => previous,
  });
  if (!enabled || !preview.data) return null;
  return (
    <div data-testid="expression-preview" className="mt-1 rounded bg-slate-50 px-2 py-1 text-xs ring-1 ring-slate-200">
      <span className="text-slate-500">With the sample message: </span>
      {preview.data.ok ? (
        <code className="break-all text-slate-800">{JSON.stringify(preview.data.value)}</code>
      ) : (
        <span className="text-amber-700">{preview.data.error}</span>
      )}
    </div>
  );
}
