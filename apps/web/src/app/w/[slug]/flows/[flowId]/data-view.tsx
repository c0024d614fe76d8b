"use client";
// A message body shown three ways (JSON, table, schema). In a step's input, every field can be dragged into a
// config field or an expression: it carries its JSONata path (and `{{ path }}` for plain text fields).
import { useState } from "react";
import { childPath, fieldPaths, REFERENCE_TYPE, typeOf } from "~/components/config/json-paths.ts";

type View = "json" | "table" | "schema";

export function MessageView({ label, value, draggable }: { label: string; value: unknown; draggable: boolean }) {
  const [view, setView] = useState<View>("json");
  return (
    <div className="space-y-1.5">
      <div role="tablist" aria-label={`${label} view`} className="flex gap-1 text-xs">
        {(["json", "table", "schema"] as const).map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={view === name}
            onClick={() => setView(name)}
            className="rounded px-2 py-0.5 text-slate-600 hover:bg-slate-100 aria-selected:bg-slate-200 aria-selected:text-slate-900"
          >
            {name === "json" ? "JSON" : name === "table" ? "Table" : "Schema"}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        aria-label={label}
        className="max-h-80 overflow-auto rounded-md bg-slate-50 p-2 font-mono text-xs ring-1 ring-slate-200"
      >
        {view === "json" ? <JsonTree value={value} path="" draggable={draggable} /> : null}
        {view === "table" ? <Table value={value} draggable={draggable} /> : null}
        {view === "schema" ? <Schema value={value} draggable={draggable} /> : null}
      </div>
      {draggable ? (
        <p className="text-xs text-slate-500">Drag a field into a config field or an expression to use it.</p>
      ) : null}
    </div>
  );
}

/** A field's name, draggable as a reference to it (or clicked to copy the reference, for keyboard users). */
function Field({ path, text, draggable }: { path: string; text: string; draggable: boolean }) {
  const [copied, setCopied] = useState(false);
  if (!draggable || !path) return <span className="text-slate-700">{text}</span>;
  return (
    <button
      type="button"
      draggable
      data-path={path}
      title={`Drag into a field to insert ${path}, or click to copy it`}
      onDragStart={(event) => {
        event.dataTransfer.setData(REFERENCE_TYPE, path);
        event.dataTransfer.setData("text/plain", `{{ ${path} }}`);
        event.dataTransfer.effectAllowed = "copy";
      }}
      onClick={() => {
        void navigator.clipboard?.writeText(path).then(() => setCopied(true));
      }}
      onBlur={() => setCopied(false)}
      className="cursor-grab rounded bg-brand-50 px-1 font-mono text-brand-700 ring-1 ring-brand-100 hover:bg-brand-100"
    >
      {text}
      {copied ? <span className="sr-only"> (copied)</span> : null}
    </button>
  );
}

function Scalar({ value }: { value: unknown }) {
  const color =
    typeof value === "string" ? "text-emerald-700" : typeof value === "number" ? "text-sky-700" : "text-violet-700";
  return <span className={`break-all ${color}`}>{JSON.stringify(value)}</span>;
}

function JsonTree({ value, path, draggable }: { value: unknown; path: string; draggable: boolean }) {
  if (value === null || typeof value !== "object") return <Scalar value={value} />;
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.slice(0, 100).map((item, index) => [index, item])
    : Object.entries(value);
  if (!entries.length) return <span className="text-slate-500">{Array.isArray(value) ? "[]" : "{}"}</span>;
  return (
    <ul className={path ? "ml-3 border-l border-slate-200 pl-2" : ""}>
      {entries.map(([key, inner]) => {
        const innerPath = childPath(path, key);
        const nested = inner !== null && typeof inner === "object";
        return (
          <li key={String(key)} className="py-0.5">
            <Field path={innerPath} text={typeof key === "number" ? `[${key}]` : key} draggable={draggable} />
            <span className="text-slate-400">: </span>
            {nested ? (
              <>
                <span className="text-slate-400">{Array.isArray(inner) ? `[${inner.length}]` : ""}</span>
                <JsonTree value={inner} path={innerPath} draggable={draggable} />
              </>
            ) : (
              <Scalar value={inner} />
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** An array of objects as rows and columns; an object as one row per field. */
function Table({ value, draggable }: { value: unknown; draggable: boolean }) {
  const rows = Array.isArray(value) ? value.slice(0, 50) : [value];
  const objects = rows.filter((row): row is Record<string, unknown> => row !== null && typeof row === "object");
  if (!objects.length) return <Scalar value={value} />;
  const columns = [...new Set(objects.flatMap((row) => Object.keys(row)))].slice(0, 30);
  const cell = (inner: unknown) =>
    inner !== null && typeof inner === "object" ? JSON.stringify(inner) : inner === undefined ? "" : String(inner);
  return (
    <table className="w-full border-collapse text-left">
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col" className="border-b border-slate-300 px-1.5 py-1 font-semibold">
              <Field path={childPath("", column)} text={column} draggable={draggable} />
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {objects.map((row, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows of a sample have no identity but their place
          <tr key={index} className="border-b border-slate-200">
            {columns.map((column) => (
              <td key={column} className="max-w-40 truncate px-1.5 py-1" title={cell(row[column])}>
                {cell(row[column])}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Schema({ value, draggable }: { value: unknown; draggable: boolean }) {
  const fields = fieldPaths(value);
  if (!fields.length) return <span className="text-slate-500">{typeOf(value)}</span>;
  return (
    <ul>
      {fields.map((field) => (
        <li key={field.path} className="flex gap-2 py-0.5">
          <Field path={field.path} text={field.path} draggable={draggable} />
          <span className="text-slate-500">{field.type}</span>
        </li>
      ))}
    </ul>
  );
}
