// The REST API's reference, rendered from the same OpenAPI document the API serves at /api/v1/openapi.json.
import { buildOpenApi, REST_BASE } from "@tributary/api";
import type { Metadata } from "next";
import { Logo } from "~/components/logo.tsx";
import { type JsonSchema, SchemaFields } from "./schema-fields.tsx";

export const metadata: Metadata = { title: "REST API reference" };

type Parameter = { name: string; in: "path" | "query"; required: boolean; schema: JsonSchema };
type Operation = {
  operationId: string;
  summary: string;
  description: string;
  parameters?: Parameter[];
  requestBody?: { content: { "application/json": { schema: JsonSchema } } };
  responses: Record<string, { content?: { "application/json": { schema: JsonSchema } } } | { $ref: string }>;
};

const METHOD_STYLE: Record<string, string> = {
  get: "bg-sky-100 text-sky-800",
  post: "bg-emerald-100 text-emerald-800",
  put: "bg-amber-100 text-amber-800",
  delete: "bg-rose-100 text-rose-800",
};

function sections() {
  const document = buildOpenApi();
  const groups = new Map<string, { method: string; path: string; operation: Operation }[]>();
  for (const [path, methods] of Object.entries(document.paths)) {
    const group = path.split("/")[1] ?? "";
    for (const [method, operation] of Object.entries(methods)) {
      groups.set(group, [...(groups.get(group) ?? []), { method, path, operation: operation as Operation }]);
    }
  }
  return [...groups.entries()];
}

const TITLES: Record<string, string> = {
  flows: "Flows and versions",
  runs: "Runs",
  key: "The calling key",
  "connection-types": "Connection types",
  connections: "Connections",
  secrets: "Secrets",
  "security-rules": "Security rules",
  members: "Members",
};

export default function ApiReferencePage() {
  const groups = sections();
  return (
    <div className="mx-auto max-w-5xl px-6 pb-16">
      <header className="flex items-center justify-between py-6">
        {/* The logo is a link itself: wrapped in another, the browser splits the nested links and hydration fails. */}
        <Logo />
        <a href={`${REST_BASE}/openapi.json`} className="text-sm font-medium text-brand-700 hover:underline">
          openapi.json
        </a>
      </header>
      <h1 className="text-3xl font-semibold tracking-tight">REST API reference</h1>
      <div className="mt-4 max-w-3xl space-y-3 text-sm text-slate-700">
        <p>
          Everything you do with flows and runs in the browser, a script can do too. Create an API key on your
          workspace's <strong>API keys</strong> page (owners and admins) and send it as a bearer token; the key's role
          decides what it may do, with the same permissions as the app.
        </p>
        <pre className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100">
          {`curl -H "Authorization: Bearer $TRIBUTARY_API_KEY" https://your-tributary${REST_BASE}/flows`}
        </pre>
        <p>
          Errors are <code>{"{ error: { code, message, details } }"}</code>. Every answer carries{" "}
          <code>X-RateLimit-Limit</code>, <code>X-RateLimit-Remaining</code> and <code>X-RateLimit-Reset</code>; a 429
          also carries <code>Retry-After</code>. Lists page with <code>cursor</code>: pass the <code>nextCursor</code>{" "}
          of one page to get the next. The <code>tributary</code> command line wraps this API.
        </p>
      </div>
      <nav className="mt-8 flex flex-wrap gap-2 text-sm" aria-label="Sections">
        {groups.map(([group]) => (
          <a key={group} href={`#${group}`} className="rounded-full bg-slate-100 px-3 py-1 hover:bg-slate-200">
            {TITLES[group] ?? group}
          </a>
        ))}
      </nav>
      {groups.map(([group, operations]) => (
        <section key={group} id={group} className="mt-10">
          <h2 className="text-xl font-semibold">{TITLES[group] ?? group}</h2>
          {operations.map(({ method, path, operation }) => (
            <article
              key={operation.operationId}
              id={operation.operationId}
              className="mt-4 rounded-lg border border-slate-200 bg-white p-5"
            >
              <h3 className="flex flex-wrap items-center gap-2 font-mono text-sm">
                <span className={`rounded px-2 py-0.5 text-xs font-semibold uppercase ${METHOD_STYLE[method]}`}>
                  {method}
                </span>
                <span>
                  {REST_BASE}
                  {path}
                </span>
              </h3>
              <p className="mt-2 text-sm">{operation.summary}</p>
              <p className="mt-1 text-xs text-slate-500">
                {operation.description.replaceAll("`", "")} · operationId <code>{operation.operationId}</code>
              </p>
              {operation.parameters?.length ? (
                <SchemaFields
                  title="Parameters"
                  schema={{
                    properties: Object.fromEntries(
                      operation.parameters.map((p) => [p.name, { ...p.schema, "x-in": p.in }]),
                    ),
                    required: operation.parameters.filter((p) => p.required).map((p) => p.name),
                  }}
                />
              ) : null}
              {operation.requestBody ? (
                <SchemaFields title="Body (JSON)" schema={operation.requestBody.content["application/json"].schema} />
              ) : null}
              {Object.entries(operation.responses).map(([status, response]) =>
                "content" in response && response.content && status.startsWith("2") ? (
                  <SchemaFields
                    key={status}
                    title={`Answer ${status}`}
                    schema={response.content["application/json"].schema}
                  />
                ) : null,
              )}
            </article>
          ))}
        </section>
      ))}
    </div>
  );
}
