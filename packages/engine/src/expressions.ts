// Expressions are JSONata. Config values may hold `{{ expr }}`: a value that is exactly one expression keeps
// the result's type; text around expressions makes a string. Compiled expressions are cached (compiling is the
// costly part), and every evaluation has a time, depth and sequence budget so a runaway expression fails its
// step instead of stalling the worker.
import jsonata from "jsonata";
import { headerMap, type Message } from "./message.ts";

export const EXPRESSION_LIMITS = { timeoutMs: 1_000, stackDepth: 300, sequenceLength: 100_000 } as const;

export class ExpressionError extends Error {
  override name = "ExpressionError";
  readonly expression: string;
  readonly field: string | undefined;
  readonly position: number | undefined;
  constructor({
    message,
    expression,
    field,
    position,
  }: { message: string; expression: string; field?: string; position?: number }) {
    super(message);
    this.expression = expression;
    this.field = field;
    this.position = position;
  }
}

type Compiled = jsonata.Expression;

const CACHE_LIMIT = 5_000;
const cache = new Map<string, Compiled>();

function describeJsonataError(error: unknown): { message: string; position?: number } {
  if (error && typeof error === "object" && "message" in error) {
    const { message, position } = error as { message: string; position?: number };
    return typeof position === "number" ? { message, position } : { message };
  }
  return { message: String(error) };
}

/** Compiles (or takes from the cache) a JSONata expression; throws ExpressionError on a syntax error. */
export function compileExpression(source: string): Compiled {
  const cached = cache.get(source);
  if (cached) return cached;
  let compiled: Compiled;
  try {
    compiled = jsonata(source, {
      timeout: EXPRESSION_LIMITS.timeoutMs,
      stack: EXPRESSION_LIMITS.stackDepth,
      sequence: EXPRESSION_LIMITS.sequenceLength,
    });
  } catch (error) {
    const { message, position } = describeJsonataError(error);
    throw new ExpressionError({
      message: `Invalid expression: ${message}`,
      expression: source,
      ...(position !== undefined ? { position } : {}),
    });
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(source, compiled);
  return compiled;
}

/** What expressions see: `$` is the message body; the rest are bindings. */
export type ExpressionScope = {
  message: Message;
  /** Earlier steps' outputs by step id. */
  steps?: Record<string, { body: unknown; headers: Record<string, string> }>;
  secrets?: Record<string, string>;
  run?: Record<string, unknown>;
  /** Extra bindings a step type offers (e.g. $item in a loop). */
  extra?: Record<string, unknown>;
};

function bindingsOf(scope: ExpressionScope): Record<string, unknown> {
  return {
    message: scope.message,
    headers: headerMap(scope.message),
    steps: scope.steps ?? {},
    secrets: scope.secrets ?? {},
    run: scope.run ?? {},
    ...scope.extra,
  };
}

export async function evaluateExpression({
  source,
  scope,
  field,
  written = source,
}: {
  source: string;
  scope: ExpressionScope;
  field?: string;
  /** What the user wrote (a template's `{{ … }}` with its braces): error messages quote it as written. */
  written?: string;
}): Promise<unknown> {
  let compiled: Compiled;
  try {
    compiled = compileExpression(source);
  } catch (error) {
    if (error instanceof ExpressionError && field) {
      throw new ExpressionError({ message: `${field}: ${error.message}`, expression: source, field });
    }
    throw error;
  }
  try {
    const result = await compiled.evaluate(scope.message.body, bindingsOf(scope));
    return normalize(result);
  } catch (error) {
    const { message, position } = describeJsonataError(error);
    throw new ExpressionError({
      message: `${field ? `${field}: ` : ""}the expression ${written} failed: ${message}`,
      expression: source,
      ...(field ? { field } : {}),
      ...(position !== undefined ? { position } : {}),
    });
  }
}

// JSONata returns sequences as arrays with a `sequence` flag and undefined for "nothing"; callers get plain JSON.
function normalize(value: unknown): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) if (inner !== undefined) out[key] = normalize(inner);
    return out;
  }
  return value;
}

const TEMPLATE = /\{\{([\s\S]*?)\}\}/g;
const WHOLE_TEMPLATE = /^\s*\{\{([\s\S]*?)\}\}\s*$/;

export type FoundExpression = { field: string; source: string };

/** Every `{{ expr }}` inside a config value, with the dotted path of the field it is in. */
export function findExpressions(value: unknown, path = ""): FoundExpression[] {
  if (typeof value === "string") {
    return [...value.matchAll(TEMPLATE)].map((match) => ({ field: path, source: (match[1] ?? "").trim() }));
  }
  if (Array.isArray(value))
    return value.flatMap((item, index) => findExpressions(item, path ? `${path}.${index}` : String(index)));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([key, inner]) => findExpressions(inner, path ? `${path}.${key}` : key));
  }
  return [];
}

/** The syntax errors of every expression in a config value (empty when all compile). */
export function expressionErrors(config: unknown): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = [];
  for (const { field, source } of findExpressions(config)) {
    if (!source) {
      errors.push({ field, message: "An empty {{ }}: put an expression between the braces, or remove them." });
      continue;
    }
    try {
      compileExpression(source);
    } catch (error) {
      errors.push({ field, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return errors;
}

function stringify(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Resolves every `{{ }}` in a config value (deep), keeping types where a value is one whole expression. */
export async function renderTemplate({
  value,
  scope,
  path = "",
}: {
  value: unknown;
  scope: ExpressionScope;
  path?: string;
}): Promise<unknown> {
  if (typeof value === "string") {
    if (!value.includes("{{")) return value;
    const whole = WHOLE_TEMPLATE.exec(value);
    if (whole && !(whole[1] ?? "").includes("}}")) {
      return evaluateExpression({ source: (whole[1] ?? "").trim(), scope, field: path, written: value.trim() });
    }
    const parts: string[] = [];
    let last = 0;
    for (const match of value.matchAll(TEMPLATE)) {
      parts.push(value.slice(last, match.index));
      const source = (match[1] ?? "").trim();
      parts.push(stringify(await evaluateExpression({ source, scope, field: path, written: match[0] })));
      last = match.index + match[0].length;
    }
    parts.push(value.slice(last));
    return parts.join("");
  }
  if (Array.isArray(value)) {
    return Promise.all(
      value.map((item, index) =>
        renderTemplate({ value: item, scope, path: path ? `${path}.${index}` : String(index) }),
      ),
    );
  }
  if (value && typeof value === "object") {
    const entries = await Promise.all(
      Object.entries(value).map(
        async ([key, inner]) =>
          [key, await renderTemplate({ value: inner, scope, path: path ? `${path}.${key}` : key })] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
  return value;
}
