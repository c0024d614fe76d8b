// One JSON Schema object drawn as a table of its fields, nested objects indented under their parent.
import type { ReactNode } from "react";

export type JsonSchema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  "x-in"?: string;
};

function describeType(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(" | ");
  if (schema.anyOf) return schema.anyOf.map(describeType).join(" or ");
  if (schema.type === "array") return `array of ${schema.items ? describeType(schema.items) : "anything"}`;
  const type = Array.isArray(schema.type) ? schema.type.join(" or ") : (schema.type ?? "any");
  return schema.format ? `${type} (${schema.format})` : type;
}

/** The object a field holds, if any: directly, in an array, or as the non-null half of "x or null". */
function nestedObject(schema: JsonSchema): JsonSchema | null {
  if (schema.properties && Object.keys(schema.properties).length) return schema;
  if (schema.items) return nestedObject(schema.items);
  for (const option of schema.anyOf ?? []) {
    const found = nestedObject(option);
    if (found) return found;
  }
  return null;
}

function Rows({ schema, depth }: { schema: JsonSchema; depth: number }) {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, field]) => {
    const nested = depth < 3 ? nestedObject(field) : null;
    return (
      <FieldRow key={name} name={name} field={field} required={required.has(name)} depth={depth}>
        {nested ? <Rows schema={nested} depth={depth + 1} /> : null}
      </FieldRow>
    );
  });
}

function FieldRow({
  name,
  field,
  required,
  depth,
  children,
}: {
  name: string;
  field: JsonSchema;
  required: boolean;
  depth: number;
  children: ReactNode;
}) {
  return (
    <>
      <tr className="border-t border-slate-100 align-top">
        <td className="py-1.5 pr-4 font-mono" style={{ paddingLeft: `${depth * 1}rem` }}>
          {name}
          {required ? <span className="text-rose-600">*</span> : null}
        </td>
        <td className="py-1.5 pr-4 font-mono text-slate-600">
          {describeType(field)}
          {field["x-in"] ? <span className="ml-1 text-slate-500">in {field["x-in"]}</span> : null}
        </td>
        <td className="py-1.5 text-slate-600">
          {field.description}
          {field.default !== undefined ? (
            <span className="text-slate-500"> default {JSON.stringify(field.default)}</span>
          ) : null}
        </td>
      </tr>
      {children}
    </>
  );
}

export function SchemaFields({ title, schema }: { title: string; schema: JsonSchema }) {
  const empty = !schema.properties || Object.keys(schema.properties).length === 0;
  return (
    <div className="mt-4">
      <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h4>
      {empty ? (
        <p className="mt-1 text-xs text-slate-500">An empty object.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="mt-1 w-full text-xs">
            <tbody>
              <Rows schema={schema} depth={0} />
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
