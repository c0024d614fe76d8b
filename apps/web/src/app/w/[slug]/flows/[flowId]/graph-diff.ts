// What the draft changes against the published version, step by step: steps added and removed, the fields of a
// step that differ (its name, type, settings and each config field), connections drawn or removed, steps moved.
import type { Edge, Graph, Step } from "./use-draft.ts";

export type FieldChange = {
  /** `config.<key>` for a config field, else the step's own property (`name`, `disabled`, `retry`…). */
  path: string;
  before: unknown;
  after: unknown;
};

export type StepChange = { step: Step; fields: FieldChange[] };

export type GraphDiff = {
  added: Step[];
  removed: Step[];
  changed: StepChange[];
  /** Steps whose only change is their place on the canvas. */
  moved: Step[];
  edgesAdded: Edge[];
  edgesRemoved: Edge[];
  /** Whether publishing would change anything at all. */
  any: boolean;
};

const edgeKey = (edge: Edge) => `${edge.from}:${edge.output}->${edge.to}`;

/** Values compared by content; objects with the same keys in another order are the same. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => same(item, b[i]));
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...keys].every((key) => same(left[key], right[key]));
}

function fieldChanges(before: Step, after: Step): FieldChange[] {
  const changes: FieldChange[] = [];
  const own = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of own) {
    if (key === "id" || key === "position" || key === "config") continue;
    const a = (before as Record<string, unknown>)[key];
    const b = (after as Record<string, unknown>)[key];
    if (!same(a, b)) changes.push({ path: key, before: a, after: b });
  }
  const config = new Set([...Object.keys(before.config ?? {}), ...Object.keys(after.config ?? {})]);
  for (const key of config) {
    const a = before.config?.[key];
    const b = after.config?.[key];
    if (!same(a, b)) changes.push({ path: `config.${key}`, before: a, after: b });
  }
  return changes;
}

export function diffGraphs(published: Graph, draft: Graph): GraphDiff {
  const before = new Map(published.steps.map((step) => [step.id, step]));
  const after = new Map(draft.steps.map((step) => [step.id, step]));
  const added = draft.steps.filter((step) => !before.has(step.id));
  const removed = published.steps.filter((step) => !after.has(step.id));
  const changed: StepChange[] = [];
  const moved: Step[] = [];
  for (const step of draft.steps) {
    const old = before.get(step.id);
    if (!old) continue;
    const fields = fieldChanges(old, step);
    if (fields.length) changed.push({ step, fields });
    else if (!same(old.position, step.position)) moved.push(step);
  }
  const oldEdges = new Set(published.edges.map(edgeKey));
  const newEdges = new Set(draft.edges.map(edgeKey));
  const edgesAdded = draft.edges.filter((edge) => !oldEdges.has(edgeKey(edge)));
  const edgesRemoved = published.edges.filter((edge) => !newEdges.has(edgeKey(edge)));
  const any = Boolean(
    added.length || removed.length || changed.length || moved.length || edgesAdded.length || edgesRemoved.length,
  );
  return { added, removed, changed, moved, edgesAdded, edgesRemoved, any };
}
