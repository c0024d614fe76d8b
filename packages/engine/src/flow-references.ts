// What a flow names outside itself: connections, security rules, other flows (by their config fields the
// step type marks) and secrets (in expressions and a code step's list). Inside a workspace a graph holds ids;
// a flow file holds names, so it can be pushed to another workspace, which resolves them to its own ids
// (docs/flow-format.md, "References").
import type { StepCatalog } from "./catalog.ts";
import type { FlowGraph, FlowStep } from "./flow-graph.ts";

export type ReferenceKind = "connection" | "securityRule" | "flow" | "secret";

/** A config field of a step type that names something of the workspace; `many` when it holds a list. */
export type ReferenceField = { field: string; kind: ReferenceKind; many: boolean };

/** What the workspace has, by kind: the names an id stands for. Secrets have names only. */
export type ReferenceDirectory = Record<Exclude<ReferenceKind, "secret">, { id: string; name: string }[]> & {
  secret: string[];
};

export type UnresolvedReference = {
  stepId: string;
  field: string;
  kind: ReferenceKind;
  /** The name (or id, in an older file) the step gives. */
  value: string;
  message: string;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SECRET_IN_EXPRESSION = /\$secrets\.([A-Za-z_][A-Za-z0-9_]*)|\$secrets\[\s*["']([^"']+)["']\s*\]/g;

const NOUN: Record<ReferenceKind, string> = {
  connection: "connection",
  securityRule: "security rule",
  flow: "flow",
  secret: "secret",
};
const REMEDY: Record<ReferenceKind, string> = {
  connection: "Create it or rename the reference.",
  securityRule: "Create it or rename the reference.",
  flow: "Create or push that flow, or rename the reference.",
  secret: "Set it (Secrets page or `tributary secrets set`) or rename the reference.",
};

const stepLabel = (step: FlowStep) => `"${step.name ?? step.id}"`;

function valuesOf(step: FlowStep, field: ReferenceField): string[] {
  const value = step.config[field.field];
  if (field.many) return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
  return typeof value === "string" && value ? [value] : [];
}

/** The secret names a step's config reads: `$secrets.NAME` in any text, and a code step's secret list. */
function secretsOf(step: FlowStep, fields: readonly ReferenceField[]): string[] {
  const names = new Set<string>();
  for (const field of fields) if (field.kind === "secret") for (const name of valuesOf(step, field)) names.add(name);
  const visit = (value: unknown) => {
    if (typeof value === "string") {
      for (const match of value.matchAll(SECRET_IN_EXPRESSION)) names.add((match[1] ?? match[2]) as string);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") Object.values(value).forEach(visit);
  };
  visit(step.config);
  return [...names];
}

function mapReferences(
  graph: FlowGraph,
  catalog: StepCatalog,
  map: (value: string, kind: Exclude<ReferenceKind, "secret">, step: FlowStep, field: string) => string,
): FlowGraph {
  return {
    ...graph,
    steps: graph.steps.map((step) => {
      const fields = (catalog.get(step.type)?.references ?? []).filter((field) => field.kind !== "secret");
      if (!fields.length) return step;
      const config = { ...step.config };
      for (const field of fields) {
        const kind = field.kind as Exclude<ReferenceKind, "secret">;
        const value = config[field.field];
        if (field.many && Array.isArray(value)) {
          config[field.field] = value.map((item) =>
            typeof item === "string" ? map(item, kind, step, field.field) : item,
          );
        } else if (!field.many && typeof value === "string" && value) {
          config[field.field] = map(value, kind, step, field.field);
        }
      }
      return { ...step, config };
    }),
  };
}

/** The graph as a flow file holds it: every id of the workspace replaced by that thing's name. */
export function nameReferences({
  graph,
  catalog,
  directory,
}: {
  graph: FlowGraph;
  catalog: StepCatalog;
  directory: ReferenceDirectory;
}): FlowGraph {
  const names = Object.fromEntries(
    (["connection", "securityRule", "flow"] as const).map((kind) => [
      kind,
      new Map(directory[kind].map((entry) => [entry.id, entry.name])),
    ]),
  ) as Record<Exclude<ReferenceKind, "secret">, Map<string, string>>;
  return mapReferences(graph, catalog, (value, kind) => names[kind].get(value) ?? value);
}

/**
 * The graph with every name resolved to this workspace's id (ids of this workspace stay as they are), and
 * each reference that resolves to nothing, or to more than one thing, with a message naming it.
 */
export function resolveReferences({
  graph,
  catalog,
  directory,
}: {
  graph: FlowGraph;
  catalog: StepCatalog;
  directory: ReferenceDirectory;
}): { graph: FlowGraph; unresolved: UnresolvedReference[] } {
  const unresolved: UnresolvedReference[] = [];
  const refuse = (step: FlowStep, field: string, kind: ReferenceKind, value: string, why: string) =>
    unresolved.push({
      stepId: step.id,
      field,
      kind,
      value,
      message: `The step ${stepLabel(step)} names the ${NOUN[kind]} "${value}", ${why}`,
    });
  const resolved = mapReferences(graph, catalog, (value, kind, step, field) => {
    const entries = directory[kind];
    if (UUID.test(value) && entries.some((entry) => entry.id === value)) return value;
    const named = entries.filter((entry) => entry.name === value);
    const [only] = named;
    if (named.length === 1 && only) return only.id;
    refuse(
      step,
      field,
      kind,
      value,
      named.length
        ? `and this workspace has ${named.length} ${NOUN[kind]}s of that name: rename all but one.`
        : `which this workspace does not have. ${REMEDY[kind]}`,
    );
    return value;
  });
  const secrets = new Set(directory.secret);
  for (const step of graph.steps) {
    const fields = catalog.get(step.type)?.references ?? [];
    for (const name of secretsOf(step, fields)) {
      if (!secrets.has(name)) {
        refuse(step, "", "secret", name, `which this workspace does not have. ${REMEDY.secret}`);
      }
    }
  }
  return { graph: resolved, unresolved };
}
