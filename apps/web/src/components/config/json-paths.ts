// JSONata paths to the fields of a sample message: what dragging a field inserts, and what autocomplete offers.

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One step of a path: a plain name, or a name in backticks when it has spaces, dashes or starts with a digit. */
export function pathSegment(key: string): string {
  return IDENTIFIER.test(key) ? key : `\`${key.replaceAll("`", "")}\``;
}

/** A child's path: `parent.key`, or `parent[index]` for an array item. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent ? `${parent}.${pathSegment(key)}` : pathSegment(key);
}

export type FieldPath = { path: string; type: string; example: unknown };

export function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * Every field path in a value, as a schema: array items are merged (JSONata maps a path over an array, so
 * `items.price` is each item's price), deepest first cut at `depth`, at most `limit` paths.
 */
export function fieldPaths(value: unknown, { prefix = "", depth = 6, limit = 500 } = {}): FieldPath[] {
  const found = new Map<string, FieldPath>();
  const visit = (inner: unknown, path: string, level: number) => {
    if (found.size >= limit || level > depth) return;
    if (Array.isArray(inner)) {
      for (const item of inner.slice(0, 20)) visit(item, path, level);
      return;
    }
    if (inner && typeof inner === "object") {
      for (const [key, child] of Object.entries(inner)) {
        const path2 = childPath(path, key);
        if (!found.has(path2)) found.set(path2, { path: path2, type: typeOf(child), example: child });
        visit(child, path2, level + 1);
      }
    }
  };
  visit(value, prefix, 0);
  return [...found.values()];
}

/** The data a dragged field carries: its bare path for expression editors, `{{ path }}` for any text field. */
export const REFERENCE_TYPE = "application/x-tributary-reference";
