// Webhook paths: "orders/{id}/items" matches "orders/42/items" with params { id: "42" }.

export type CompiledPattern = { regex: RegExp; params: string[] };

export function normalizePath(pattern: string): string {
  return pattern
    .split("/")
    .filter(Boolean)
    .map((segment) => (/^\{[^}]+\}$/.test(segment) ? "{}" : segment.toLowerCase()))
    .join("/");
}

export function compilePattern(pattern: string): CompiledPattern {
  const params: string[] = [];
  const source = pattern
    .split("/")
    .filter(Boolean)
    .map((segment) => {
      const param = /^\{([^}]+)\}$/.exec(segment);
      if (param) {
        params.push(param[1] ?? "");
        return "([^/]+)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { regex: new RegExp(`^${source}$`, "i"), params };
}

export function matchPattern(compiled: CompiledPattern, path: string): Record<string, string> | null {
  const match = compiled.regex.exec(path.split("/").filter(Boolean).join("/"));
  if (!match) return null;
  const values: Record<string, string> = {};
  compiled.params.forEach((name, index) => {
    const raw = match[index + 1] ?? "";
    try {
      values[name] = decodeURIComponent(raw);
    } catch {
      values[name] = raw;
    }
  });
  return values;
}
