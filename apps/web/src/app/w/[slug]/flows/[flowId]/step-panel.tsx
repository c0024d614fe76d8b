"use client";
import type { PaletteEntry, PinnedMessage } from "@tributary/core";
import { ConfigForm, type FieldSchema } from "~/components/config/config-form.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { FireTimes } from "./fire-times.tsx";
import { ListenerInfo } from "./listener-info.tsx";
import { codeDiagnostics, type Problem } from "./problems.ts";
import type { Step } from "./use-draft.ts";
import { SoapWebhookInfo, WebhookInfo } from "./webhook-info.tsx";

/** The selected step: its name, config generated from its type's schema, and its problems. */
export function StepPanel({
  flowId,
  step,
  entry,
  problems,
  pinned,
  published,
  readOnly,
  onChange,
  onRemove,
}: {
  flowId: string;
  step: Step;
  entry: PaletteEntry | undefined;
  problems: Problem[];
  /** The sample pinned on this step, if any: a webhook's "Try it" command sends it. */
  pinned: PinnedMessage | undefined;
  published: boolean;
  readOnly: boolean;
  onChange: (patch: (step: Step) => Step) => void;
  onRemove: () => void;
}) {
  const workspace = useWorkspace();
  const fieldErrors = Object.fromEntries(
    problems.filter((p) => p.field).map((p) => [String(p.field).split(".")[0], p.message]),
  );
  const general = problems.filter((p) => !p.field || !(entry?.configSchema as FieldSchema)?.properties?.[p.field]);
  return (
    <div className="space-y-4">
      <div>
        <div className="text-xs font-semibold tracking-wide text-slate-500 uppercase">{entry?.category}</div>
        <h2 className="text-base font-semibold">{entry?.title ?? step.type}</h2>
        <p className="text-xs text-slate-500">{entry?.description}</p>
      </div>
      <div>
        <label htmlFor="step-name" className="block text-sm font-medium text-slate-700">
          Step name
        </label>
        <input
          id="step-name"
          className="mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm disabled:cursor-not-allowed disabled:bg-slate-100 disabled:text-slate-600"
          placeholder={entry?.title}
          disabled={readOnly}
          value={step.name ?? ""}
          onChange={(e) => onChange((s) => ({ ...s, name: e.target.value || undefined }) as Step)}
        />
        <p className="mt-1 text-xs text-slate-500">
          Id <code>{step.id}</code>: later steps read its output as <code>steps.{step.id}</code>.
        </p>
      </div>
      {general.length ? (
        <ul className="space-y-1 rounded-md border border-red-200 bg-red-50 p-2 text-xs text-red-800" role="alert">
          {general.map((problem) => (
            <li key={`${problem.code}:${problem.field ?? ""}:${problem.message}`}>{problem.message}</li>
          ))}
        </ul>
      ) : null}
      {step.type === "trigger.webhook" && typeof step.config.path === "string" ? (
        <WebhookInfo
          slug={workspace.slug}
          path={step.config.path}
          methods={(step.config.methods as string[] | undefined) ?? ["POST"]}
          sampleBody={pinned?.body}
          published={published}
        />
      ) : null}
      {step.type === "soap.webhook" && typeof step.config.path === "string" ? (
        <SoapWebhookInfo slug={workspace.slug} path={step.config.path} published={published} />
      ) : null}
      {step.type === "hl7.mllp-listener" ? (
        <ListenerInfo flowId={flowId} stepId={step.id} published={published} />
      ) : null}
      {step.type === "trigger.schedule" || step.type === "trigger.poll" ? (
        <FireTimes config={step.config} problemsShown={problems.length > 0} />
      ) : null}
      {entry ? (
        <ConfigForm
          key={step.id}
          schema={entry.configSchema as FieldSchema}
          config={step.config}
          errors={fieldErrors}
          codeDiagnostics={codeDiagnostics(problems)}
          readOnly={readOnly}
          onChange={(config) => onChange((s) => ({ ...s, config }))}
        />
      ) : (
        <p className="text-sm text-red-700">This step type is not known here.</p>
      )}
      {entry?.kind === "action" ? (
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            disabled={readOnly}
            checked={Boolean(step.disabled)}
            onChange={(e) => onChange((s) => ({ ...s, disabled: e.target.checked || undefined }) as Step)}
          />
          Disabled (passes its input on unchanged)
        </label>
      ) : null}
      {readOnly ? null : (
        <button type="button" className="text-sm text-red-700 hover:underline" onClick={onRemove}>
          Remove step
        </button>
      )}
    </div>
  );
}
