"use client";
// "Changes not published": the draft against the running version, field by field, side by side.
import type { PaletteEntry } from "@tributary/core";
import { useRef } from "react";
import { Button } from "~/components/button.tsx";
import type { FieldSchema } from "~/components/config/config-form.tsx";
import type { FieldChange, GraphDiff } from "./graph-diff.ts";
import type { Edge, Step } from "./use-draft.ts";

const OWN_FIELDS: Record<string, string> = {
  name: "Step name",
  type: "Step type",
  disabled: "Disabled",
  retry: "Retries",
};

function show(value: unknown): string {
  if (value === undefined || value === null || value === "") return "(not set)";
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2);
}

export function ChangesDialog({
  diff,
  steps,
  entries,
  version,
}: {
  diff: GraphDiff;
  /** The steps of both graphs, to name the ends of connections. */
  steps: Step[];
  entries: Map<string, PaletteEntry>;
  /** The number of the version the draft is compared with. */
  version: number;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const title = (step: Step) => step.name || entries.get(step.type)?.title || step.type;
  const stepLabel = (step: Step) => `${title(step)} (${step.id})`;
  const stepsById = new Map(steps.map((step) => [step.id, step]));
  const edgeLabel = (edge: Edge) => {
    const name = (id: string) => {
      const step = stepsById.get(id);
      return step ? title(step) : id;
    };
    return `${name(edge.from)} → ${name(edge.to)}${edge.output !== "out" ? ` (${edge.output})` : ""}`;
  };
  const fieldLabel = (step: Step, change: FieldChange) => {
    if (!change.path.startsWith("config.")) return OWN_FIELDS[change.path] ?? change.path;
    const key = change.path.slice("config.".length);
    const schema = entries.get(step.type)?.configSchema as FieldSchema | undefined;
    return schema?.properties?.[key]?.title ?? key;
  };
  const count =
    diff.added.length + diff.removed.length + diff.changed.length + diff.edgesAdded.length + diff.edgesRemoved.length;

  return (
    <>
      <button
        type="button"
        onClick={() => dialog.current?.showModal()}
        className="rounded-full border border-amber-300 bg-amber-50 px-2.5 py-0.5 text-xs font-medium text-amber-900 hover:bg-amber-100"
      >
        Changes not published
      </button>
      <dialog
        ref={dialog}
        aria-labelledby="changes-title"
        className="m-auto max-h-[85vh] w-[min(56rem,95vw)] rounded-lg border border-slate-200 p-0 shadow-xl backdrop:bg-slate-900/40"
      >
        <div className="flex items-center justify-between border-b border-slate-200 px-5 py-3">
          <h2 id="changes-title" className="text-base font-semibold">
            Draft against version {version}
          </h2>
          <Button variant="ghost" onClick={() => dialog.current?.close()}>
            Close
          </Button>
        </div>
        <div className="space-y-5 overflow-y-auto px-5 py-4 text-sm">
          <p className="text-slate-600">
            {count
              ? `${count} change${count === 1 ? "" : "s"} will run once you publish; version ${version} runs until then.`
              : `Only the layout changed; version ${version} runs until you publish.`}
          </p>
          <StepList
            id="changes-added"
            title="Steps added"
            tone="text-emerald-800"
            steps={diff.added}
            label={stepLabel}
          />
          <StepList
            id="changes-removed"
            title="Steps removed"
            tone="text-red-800"
            steps={diff.removed}
            label={stepLabel}
          />
          {diff.changed.map(({ step, fields }) => (
            <section key={step.id} aria-label={`Changed: ${stepLabel(step)}`}>
              <h3 className="font-semibold">Changed: {stepLabel(step)}</h3>
              <table className="mt-1 w-full table-fixed border-collapse text-left text-xs">
                <thead>
                  <tr className="border-b border-slate-200 text-slate-600">
                    <th scope="col" className="w-1/5 py-1 pr-2 font-medium">
                      Field
                    </th>
                    <th scope="col" className="py-1 pr-2 font-medium">
                      Version {version}
                    </th>
                    <th scope="col" className="py-1 font-medium">
                      Draft
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {fields.map((change) => (
                    <tr key={change.path} className="border-b border-slate-100 align-top">
                      <th scope="row" className="py-1.5 pr-2 font-medium">
                        {fieldLabel(step, change)}
                      </th>
                      <td className="py-1.5 pr-2">
                        <pre className="rounded bg-red-50 p-1.5 break-all whitespace-pre-wrap text-red-900">
                          {show(change.before)}
                        </pre>
                      </td>
                      <td className="py-1.5">
                        <pre className="rounded bg-emerald-50 p-1.5 break-all whitespace-pre-wrap text-emerald-900">
                          {show(change.after)}
                        </pre>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
          {diff.edgesAdded.length || diff.edgesRemoved.length ? (
            <section aria-labelledby="changes-edges">
              <h3 id="changes-edges" className="font-semibold">
                Connections between steps
              </h3>
              <ul className="mt-1 list-disc pl-5">
                {diff.edgesAdded.map((edge) => (
                  <li key={`+${edge.from}:${edge.output}->${edge.to}`}>Added: {edgeLabel(edge)}</li>
                ))}
                {diff.edgesRemoved.map((edge) => (
                  <li key={`-${edge.from}:${edge.output}->${edge.to}`}>Removed: {edgeLabel(edge)}</li>
                ))}
              </ul>
            </section>
          ) : null}
          {diff.moved.length ? (
            <p className="text-slate-600">Moved on the canvas: {diff.moved.map(title).join(", ")}.</p>
          ) : null}
        </div>
      </dialog>
    </>
  );
}

function StepList({
  id,
  title,
  tone,
  steps,
  label,
}: {
  id: string;
  title: string;
  tone: string;
  steps: Step[];
  label: (step: Step) => string;
}) {
  if (!steps.length) return null;
  return (
    <section aria-labelledby={id}>
      <h3 id={id} className={`font-semibold ${tone}`}>
        {title}
      </h3>
      <ul className="mt-1 list-disc pl-5">
        {steps.map((step) => (
          <li key={step.id}>{label(step)}</li>
        ))}
      </ul>
    </section>
  );
}
