"use client";
// The config panel of a step, generated from its type's JSON Schema: the field's type picks the control, and
// the `widget` hint in the schema picks special ones (code, JSON, header lists, security rules, secrets…).
import { useMutation, useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useId, useState } from "react";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { useTRPC } from "~/trpc/react.tsx";
import type { CodeDiagnostic } from "./code-editor.tsx";
import { ExpressionPreview } from "./expression-preview.tsx";

export type FieldSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  widget?: string;
  enum?: unknown[];
  default?: unknown;
  items?: FieldSchema;
  properties?: Record<string, FieldSchema>;
  connectionType?: string;
  minimum?: number;
  maximum?: number;
  /** Shown only while other fields have one of these values, e.g. `{ auth: ["basic"] }`. */
  showWhen?: Record<string, unknown[]>;
};

/** Whether a field applies under the config's current choices (its `showWhen`). */
function applies(field: FieldSchema, config: Record<string, unknown>, schema: FieldSchema): boolean {
  return Object.entries(field.showWhen ?? {}).every(([other, values]) =>
    values.includes(config[other] ?? schema.properties?.[other]?.default),
  );
}

/** The ARIA that ties a control to its hint or its error. */
type Described = { "aria-describedby"?: string; "aria-invalid"?: true };

/** What every labelled control of the form is given: its id, its value and how to change it, and its ARIA. */
type ControlProps = {
  id: string;
  value: unknown;
  onChange: (value: unknown) => void;
  readOnly: boolean;
  described: Described;
};

// CodeMirror loads only when a code step is opened: most flows have none.
const CodeEditor = dynamic(() => import("./code-editor.tsx").then((module) => module.CodeEditor), {
  ssr: false,
  loading: () => <p className="mt-1 text-xs text-slate-500">Loading the editor…</p>,
});
const ExpressionEditor = dynamic(() => import("./expression-editor.tsx").then((module) => module.ExpressionEditor), {
  ssr: false,
  loading: () => <p className="mt-1 text-xs text-slate-500">Loading the editor…</p>,
});

const NO_DIAGNOSTICS: CodeDiagnostic[] = [];

/** A text or number field left empty takes its default: shown greyed in the field, so the empty field says so. */
function shownDefault(field: FieldSchema): string | undefined {
  return typeof field.default === "string" || typeof field.default === "number" ? String(field.default) : undefined;
}

// Disabled (read-only) and invalid controls look it, not only to screen readers.
const INPUT =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm disabled:cursor-not-allowed disabled:bg-slate-100 disabled:text-slate-600 aria-invalid:border-red-500";

export function ConfigForm({
  schema,
  config,
  errors,
  codeDiagnostics = {},
  onChange,
  readOnly,
}: {
  schema: FieldSchema;
  config: Record<string, unknown>;
  errors: Record<string, string>;
  /** Compile and type errors of code fields, by field, shown in the editor. */
  codeDiagnostics?: Record<string, CodeDiagnostic[]>;
  onChange: (config: Record<string, unknown>) => void;
  readOnly: boolean;
}) {
  const properties = Object.entries(schema.properties ?? {});
  return (
    <div className="space-y-4">
      {properties
        .filter(([, field]) => applies(field, config, schema))
        .map(([name, field]) => (
          <Field
            key={name}
            name={name}
            field={field}
            value={config[name]}
            error={errors[name]}
            diagnostics={codeDiagnostics[name]}
            readOnly={readOnly}
            config={config}
            onChange={(value) => {
              const next = { ...config };
              if (value === undefined) delete next[name];
              else next[name] = value;
              // A field that no longer applies (the token after choosing basic auth) is not kept.
              for (const [other, otherField] of properties) if (!applies(otherField, next, schema)) delete next[other];
              onChange(next);
            }}
          />
        ))}
    </div>
  );
}

function Field({
  name,
  field,
  value,
  error,
  diagnostics,
  readOnly,
  config,
  onChange,
}: {
  name: string;
  field: FieldSchema;
  value: unknown;
  error: string | undefined;
  diagnostics: CodeDiagnostic[] | undefined;
  readOnly: boolean;
  /** The whole step config, for controls that depend on another field (a SOAP operation on its WSDL). */
  config: Record<string, unknown>;
  onChange: (value: unknown) => void;
}) {
  const id = useId();
  const label = field.title ?? name;
  const type = Array.isArray(field.type) ? field.type.find((t) => t !== "null") : field.type;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described: Described = error
    ? { "aria-describedby": errorId, "aria-invalid": true }
    : field.description
      ? { "aria-describedby": hintId }
      : {};
  const notes = (
    <>
      {field.description && !error ? (
        <p id={hintId} className="mt-1 text-xs text-slate-500">
          {field.description}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="mt-1 text-xs text-red-600">
          {error}
        </p>
      ) : null}
    </>
  );
  // Controls made of several inputs are a group: a fieldset named by its legend.
  const group = (children: React.ReactNode) => (
    <fieldset {...described}>
      <legend className="block text-sm font-medium text-slate-700">{label}</legend>
      {children}
      {notes}
    </fieldset>
  );
  let control: React.ReactNode;
  if (field.widget === "code") {
    control = (
      <CodeEditor
        id={id}
        value={String(value ?? "")}
        onChange={(next) => onChange(next)}
        readOnly={readOnly}
        diagnostics={diagnostics ?? NO_DIAGNOSTICS}
      />
    );
  } else if (field.widget === "json" || (!type && !field.enum && field.widget !== "expression")) {
    control = <JsonField id={id} value={value} onChange={onChange} readOnly={readOnly} described={described} />;
  } else if (field.widget === "keyValue") {
    return group(<KeyValueList value={value} onChange={onChange} readOnly={readOnly} label={label} />);
  } else if (field.widget === "cases") {
    return group(
      <KeyValueList
        value={value}
        onChange={onChange}
        readOnly={readOnly}
        label={label}
        pair={{ name: "Output name, e.g. large", key: "condition", placeholder: "Condition, e.g. total > 100" }}
      />,
    );
  } else if (field.widget === "securityRules") {
    return group(<SecurityRulesPicker value={value} onChange={onChange} readOnly={readOnly} />);
  } else if (field.widget === "secrets") {
    return group(<SecretsPicker value={value} onChange={onChange} readOnly={readOnly} />);
  } else if (field.widget === "connection") {
    control = (
      <ConnectionPicker
        id={id}
        type={field.connectionType}
        value={value}
        onChange={onChange}
        readOnly={readOnly}
        described={described}
      />
    );
  } else if (field.widget === "flow") {
    control = <FlowPicker id={id} value={value} onChange={onChange} readOnly={readOnly} described={described} />;
  } else if (field.widget === "soapOperation") {
    control = (
      <SoapOperationPicker
        id={id}
        described={described}
        wsdl={typeof config.wsdl === "string" ? config.wsdl : ""}
        value={value}
        onChange={onChange}
        readOnly={readOnly}
      />
    );
  } else if (field.enum) {
    control = (
      <select
        id={id}
        {...described}
        className={INPUT}
        disabled={readOnly}
        value={String(value ?? field.default ?? "")}
        onChange={(e) => onChange(e.target.value)}
      >
        {field.enum.map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  } else if (type === "array" && field.items?.enum) {
    return group(
      <CheckboxSet
        options={field.items.enum.map((option) => ({ value: String(option), label: String(option) }))}
        value={value}
        onChange={onChange}
        readOnly={readOnly}
      />,
    );
  } else if (type === "boolean") {
    return (
      <div>
        <label className="flex items-center gap-2 text-sm font-medium text-slate-700">
          <input
            type="checkbox"
            {...described}
            disabled={readOnly}
            checked={Boolean(value ?? field.default)}
            onChange={(e) => onChange(e.target.checked)}
          />
          {label}
        </label>
        {notes}
      </div>
    );
  } else if (type === "number" || type === "integer") {
    control = (
      <input
        id={id}
        {...described}
        type="number"
        className={INPUT}
        disabled={readOnly}
        value={value === undefined || value === null ? "" : String(value)}
        placeholder={shownDefault(field)}
        min={field.minimum}
        max={field.maximum}
        onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
      />
    );
  } else if (type === "array" || type === "object") {
    control = <JsonField id={id} value={value} onChange={onChange} readOnly={readOnly} described={described} />;
  } else if (field.widget === "textarea") {
    const text = String(value ?? "");
    control = (
      <>
        <textarea
          id={id}
          {...described}
          rows={6}
          className={INPUT}
          disabled={readOnly}
          value={text}
          onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
        />
        {text.includes("{{") ? <ExpressionPreview kind="template" source={text} /> : null}
      </>
    );
  } else if (field.widget === "expression") {
    control = (
      <>
        <ExpressionEditor
          id={id}
          value={String(value ?? "")}
          onChange={onChange}
          readOnly={readOnly}
          describedBy={described["aria-describedby"]}
        />
        <ExpressionPreview kind="expression" source={String(value ?? "")} />
      </>
    );
  } else {
    const text = value === undefined || value === null ? "" : String(value);
    control = (
      <>
        <input
          id={id}
          {...described}
          type={field.widget === "password" ? "password" : "text"}
          className={INPUT}
          disabled={readOnly}
          value={text}
          placeholder={shownDefault(field)}
          onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
        />
        {text.includes("{{") ? <ExpressionPreview kind="template" source={text} /> : null}
      </>
    );
  }
  return (
    <div>
      <label id={`${id}-label`} htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {control}
      {notes}
    </div>
  );
}

/** JSON edited as text: kept as typed until it parses, so a half-written value is never lost. */
function JsonField({ id, value, onChange, readOnly, described }: ControlProps) {
  const [text, setText] = useState(() => (value === undefined ? "" : JSON.stringify(value, null, 2)));
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <>
      <textarea
        id={id}
        {...described}
        rows={4}
        spellCheck={false}
        disabled={readOnly}
        className={`${INPUT} font-mono`}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (!e.target.value.trim()) {
            setProblem(null);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setProblem(null);
          } catch (error) {
            setProblem(`Not JSON yet: ${(error as Error).message}`);
          }
        }}
      />
      {problem ? <p className="mt-1 text-xs text-amber-700">{problem}</p> : null}
    </>
  );
}

/** Rows of a name and a value (headers), or of another field beside the name (a switch's cases and conditions). */
function KeyValueList({
  value,
  onChange,
  readOnly,
  label,
  pair = { name: "Name", key: "value", placeholder: "Value" },
}: {
  value: unknown;
  onChange: (value: unknown) => void;
  readOnly: boolean;
  label: string;
  /** The placeholder of the name, and the key and placeholder of the field beside it. */
  pair?: { name: string; key: string; placeholder: string };
}) {
  const rows = Array.isArray(value) ? (value as Record<string, string>[]) : [];
  const set = (index: number, patch: Record<string, string>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <div className="mt-1 space-y-1.5">
      {rows.map((row, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
        <div key={index} className="flex gap-1.5">
          <input
            aria-label={`${label} ${index + 1} name`}
            placeholder={pair.name}
            disabled={readOnly}
            className={`${INPUT} mt-0`}
            value={row.name ?? ""}
            onChange={(e) => set(index, { name: e.target.value })}
          />
          <input
            aria-label={`${label} ${index + 1} ${pair.key}`}
            placeholder={pair.placeholder}
            disabled={readOnly}
            className={`${INPUT} mt-0`}
            value={row[pair.key] ?? ""}
            onChange={(e) => set(index, { [pair.key]: e.target.value })}
          />
          <button
            type="button"
            disabled={readOnly}
            aria-label={`Remove ${label} ${index + 1}`}
            className="px-1.5 text-slate-500 hover:text-red-600"
            onClick={() => onChange(rows.filter((_, i) => i !== index))}
          >
            ×
          </button>
        </div>
      ))}
      {readOnly ? null : (
        <button
          type="button"
          className="text-sm text-brand-700 hover:underline"
          onClick={() => onChange([...rows, { name: "", [pair.key]: "" }])}
        >
          + Add
        </button>
      )}
    </div>
  );
}

function SecurityRulesPicker({
  value,
  onChange,
  readOnly,
}: {
  value: unknown;
  onChange: (value: unknown) => void;
  readOnly: boolean;
}) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const rules = useQuery({
    ...trpc.security.list.queryOptions({ workspaceId: workspace.id }),
    enabled: workspace.can("security.read"),
  });
  const chosen = new Set(Array.isArray(value) ? (value as string[]) : []);
  if (!workspace.can("security.read")) {
    return <p className="mt-1 text-sm text-slate-500">{chosen.size} rule(s) attached.</p>;
  }
  if (rules.data?.length === 0) {
    return (
      <p className="mt-1 text-sm text-slate-500">
        No security rules yet: an admin creates them on the Security page. Without rules, anyone with the URL can call
        it.
      </p>
    );
  }
  return (
    <CheckboxSet
      options={(rules.data ?? []).map((rule) => ({ value: rule.id, label: `${rule.name} (${rule.domain})` }))}
      value={value}
      onChange={onChange}
      readOnly={readOnly}
    />
  );
}

function SecretsPicker({
  value,
  onChange,
  readOnly,
}: {
  value: unknown;
  onChange: (value: unknown) => void;
  readOnly: boolean;
}) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const secrets = useQuery({
    ...trpc.secrets.list.queryOptions({ workspaceId: workspace.id }),
    enabled: workspace.can("secrets.read"),
  });
  const chosen = new Set(Array.isArray(value) ? (value as string[]) : []);
  const names = secrets.data?.map((secret) => secret.name) ?? [...chosen];
  if (!names.length) return <p className="mt-1 text-sm text-slate-500">No secrets in this workspace yet.</p>;
  return (
    <CheckboxSet
      options={names.map((name) => ({ value: name, label: name }))}
      value={value}
      onChange={onChange}
      readOnly={readOnly}
    />
  );
}

function ConnectionPicker({
  id,
  type,
  value,
  onChange,
  readOnly,
  described,
}: ControlProps & { type: string | undefined }) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const connections = useQuery({
    ...trpc.connections.list.queryOptions({ workspaceId: workspace.id }),
    enabled: workspace.can("connections.read"),
  });
  return (
    <select
      id={id}
      {...described}
      className={INPUT}
      disabled={readOnly}
      value={String(value ?? "")}
      onChange={(e) => onChange(e.target.value || undefined)}
    >
      <option value="">None</option>
      {connections.data
        ?.filter((connection) => !type || connection.type === type)
        .map((connection) => (
          <option key={connection.id} value={connection.id}>
            {connection.name}
          </option>
        ))}
    </select>
  );
}

/** A flow to call, from those with a "Called by a flow" trigger that are published. */
function FlowPicker({ id, value, onChange, readOnly, described }: ControlProps) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const flows = useQuery(trpc.flows.callable.queryOptions({ workspaceId: workspace.id }));
  const chosen = String(value ?? "");
  const listed = flows.data?.some((flow) => flow.id === chosen) ?? true;
  return (
    <>
      <select
        id={id}
        {...described}
        className={INPUT}
        disabled={readOnly}
        value={chosen}
        onChange={(e) => onChange(e.target.value || undefined)}
      >
        <option value="">Choose a flow</option>
        {chosen && !listed ? <option value={chosen}>A flow that cannot be called now</option> : null}
        {flows.data?.map((flow) => (
          <option key={flow.id} value={flow.id}>
            {flow.name}
          </option>
        ))}
      </select>
      {flows.data?.length === 0 ? (
        <p className="mt-1 text-xs text-slate-500">
          No flow can be called yet: give one a “Called by a flow” trigger and publish it.
        </p>
      ) : null}
    </>
  );
}

/** A SOAP operation picked from those the step's WSDL offers, read when asked (it may be fetched). */
function SoapOperationPicker({ id, described, wsdl, value, onChange, readOnly }: ControlProps & { wsdl: string }) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const operations = useMutation(trpc.flows.soapOperations.mutationOptions());
  const current = typeof value === "string" ? value : "";
  const listed = operations.data ?? [];
  return (
    <>
      <div className="mt-1 flex gap-1.5">
        <select
          id={id}
          {...described}
          className={`${INPUT} mt-0`}
          disabled={readOnly}
          value={current}
          onChange={(e) => onChange(e.target.value || undefined)}
        >
          <option value="">{listed.length ? "Choose an operation" : "List the WSDL's operations first"}</option>
          {current && !listed.some((operation) => operation.id === current) ? (
            <option value={current}>{current}</option>
          ) : null}
          {listed.map((operation) => (
            <option key={operation.id} value={operation.id}>
              {operation.id} (SOAP {operation.soapVersion})
            </option>
          ))}
        </select>
        <button
          type="button"
          className="shrink-0 rounded-md border border-slate-300 px-2 text-sm hover:bg-slate-50 disabled:opacity-50"
          disabled={readOnly || !wsdl.trim() || operations.isPending}
          onClick={() => operations.mutate({ workspaceId: workspace.id, wsdl })}
        >
          {operations.isPending ? "Reading…" : "List operations"}
        </button>
      </div>
      {operations.error ? <p className="mt-1 text-xs text-red-600">{operations.error.message}</p> : null}
    </>
  );
}

/** A list value picked with checkboxes: methods, security rules, secrets. */
function CheckboxSet({
  options,
  value,
  onChange,
  readOnly,
}: {
  options: { value: string; label: string }[];
  value: unknown;
  onChange: (value: unknown) => void;
  readOnly: boolean;
}) {
  const chosen = new Set(Array.isArray(value) ? (value as unknown[]).map(String) : []);
  return (
    <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
      {options.map((option) => (
        <label key={option.value} className="flex items-center gap-1.5 text-sm">
          <input
            type="checkbox"
            disabled={readOnly}
            checked={chosen.has(option.value)}
            onChange={(e) => {
              const next = new Set(chosen);
              if (e.target.checked) next.add(option.value);
              else next.delete(option.value);
              onChange([...next]);
            }}
          />
          {option.label}
        </label>
      ))}
    </div>
  );
}
