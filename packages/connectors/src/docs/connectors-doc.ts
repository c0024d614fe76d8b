// docs/connectors.md, rendered from the connector definitions themselves (`npm run docs`): what each step
// does, its config, its outputs and an example; each connection type with its settings.
import { z } from "zod";
import { CONNECTORS } from "../catalog.ts";
import type { ConnectionTypeDefinition } from "../connections.ts";
import type { StepDefinition } from "../define.ts";

type JsonSchema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  title?: string;
  description?: string;
  default?: unknown;
};

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(" \\| ");
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(" or ");
  if (schema.type === "array") return `list of ${schema.items ? typeOf(schema.items) : "values"}`;
  if (Array.isArray(schema.type)) return schema.type.join(" or ");
  return schema.type ?? "any";
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

function fieldsTable(schema: z.ZodType, secretFields: readonly string[] = []): string {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const required = new Set(json.required ?? []);
  const rows = Object.entries(json.properties ?? {}).map(([name, field]) => {
    const notes = [
      field.description ?? "",
      secretFields.includes(name) ? "Secret: sealed at rest, never shown again." : "",
    ].filter(Boolean);
    const fallback =
      field.default === undefined ? (required.has(name) ? "required" : "") : `\`${JSON.stringify(field.default)}\``;
    return `| \`${name}\` | ${cell(field.title ?? name)} | ${cell(typeOf(field))} | ${cell(fallback)} | ${cell(notes.join(" "))} |`;
  });
  if (!rows.length) return "No settings.\n";
  return `${["| Field | Label | Type | Default | Notes |", "| --- | --- | --- | --- | --- |", ...rows].join("\n")}\n`;
}

/** The step's outputs for its example's config. */
function outputsOf(step: StepDefinition): string[] {
  if (step.kind === "trigger") return ["out"];
  const parsed = step.config.safeParse({
    connectionId: "00000000-0000-4000-8000-000000000000",
    ...step.example.config,
  });
  return parsed.success ? step.outputs(parsed.data as never) : ["out"];
}

const json = (value: unknown) => `\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\``;

function renderStep(step: StepDefinition): string {
  const parts = [
    `### ${step.title} — \`${step.type}\``,
    "",
    step.description,
    "",
    `${step.kind === "trigger" ? "Trigger" : "Action"} in the palette's “${step.category}” group. Outputs: ${outputsOf(
      step,
    )
      .map((name) => `\`${name}\``)
      .join(", ")}${step.kind === "action" ? ", and `error` when the step has an error path" : ""}.`,
    "",
    fieldsTable(step.config),
    "Example config:",
    "",
    json(step.example.config),
  ];
  if (step.example.input !== undefined) parts.push("", "Given the body:", "", json(step.example.input));
  if (step.example.output !== undefined) parts.push("", "The step gives:", "", json(step.example.output));
  return `${parts.join("\n")}\n`;
}

function renderConnectionType(type: ConnectionTypeDefinition): string {
  return [
    `### Connection: ${type.title} — \`${type.type}\``,
    "",
    `${type.description} “Test connection” on the Connections page tries it now and says what failed (host, credentials, TLS, timeout).`,
    "",
    fieldsTable(type.config, type.secretFields),
  ].join("\n");
}

const anchor = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, "")
    .trim()
    .replace(/ /g, "-");

export function renderConnectorsDoc(): string {
  const sections = CONNECTORS.map((connector) =>
    [
      `## ${connector.title}`,
      "",
      connector.description,
      "",
      ...(connector.connectionTypes ?? []).map(renderConnectionType),
      ...connector.steps.map(renderStep),
    ].join("\n"),
  );
  return [
    "# Connectors",
    "",
    "<!-- Rendered from packages/connectors by `npm run docs`; edit the definitions, not this file. -->",
    "",
    "Every step and connection type Tributary offers. Config fields take `{{ expressions }}` (JSONata over the",
    "message, `$secrets`, `$run`) unless they say otherwise; SQL and GraphQL queries take values only as",
    "parameters. Hosts that users type are reached through the guarded outbound client: private, loopback and",
    "link-local addresses are refused unless allowed (Settings → Allowed hosts, `PUT /api/v1/allowed-hosts`, or the operator's OUTBOUND_ALLOWED_HOSTS). Queue, stream,",
    "row and file triggers run in the workers, one consumer per trigger; a message is acknowledged only once its",
    "run is committed.",
    "",
    ...CONNECTORS.map((connector) => `- [${connector.title}](#${anchor(connector.title)})`),
    "",
    sections.join("\n"),
  ].join("\n");
}
