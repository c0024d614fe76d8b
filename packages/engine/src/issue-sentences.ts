// Zod's problems as sentences a person understands: "Port must be 65535 or less." instead of
// "port: Too big: expected number to be <=65535". One formatter for every form, the API and step validation.
import { type ZodError, type ZodType, z } from "zod";

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

// zod's own English messages; anything else was written by the schema for people and is kept.
const ZOD_WORDING = /^(Invalid|Too big|Too small|Unrecognized key)/;

/** "connectTimeoutSeconds" → "Connect timeout seconds", "base_url" → "Base url", a list index → "Item 3". */
export function humanizeKey(key: PropertyKey): string {
  if (typeof key === "number") return `Item ${key + 1}`;
  const words = String(key)
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_\-.]+/g, " ")
    .trim()
    .toLowerCase();
  return words ? words[0]?.toUpperCase() + words.slice(1) : "This value";
}

const defOf = (schema: ZodType) => schema._zod.def as unknown as Record<string, unknown>;

/** The schema one step down a path, through optional, default, pipe and the like. */
function child(schema: ZodType, key: PropertyKey): ZodType | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
      return child(def.innerType as ZodType, key);
    case "pipe":
      return child(def.in as ZodType, key) ?? child(def.out as ZodType, key);
    case "object":
      return (def.shape as Record<string, ZodType>)[String(key)];
    case "array":
      return typeof key === "number" ? (def.element as ZodType) : undefined;
    default:
      return undefined;
  }
}

/** The title a schema gives the field at `path` (its `.meta({ title })`), if any. */
export function titleAt(schema: ZodType | undefined, path: Path): string | undefined {
  let current = schema;
  for (const key of path) {
    if (!current) return undefined;
    current = child(current, key);
  }
  let title: string | undefined;
  // `.meta()` may sit on a wrapper (a default, an optional) or on the schema it wraps.
  for (let node = current; node && !title; ) {
    title = (z.globalRegistry.get(node) as { title?: string } | undefined)?.title;
    const def = defOf(node);
    node = (def.innerType ?? (def.type === "pipe" ? def.in : undefined)) as ZodType | undefined;
  }
  return title;
}

/** The name of the field an issue is about: its schema title, or its key in words. */
export function fieldLabel(path: Path, schema?: ZodType): string {
  const last = path.at(-1);
  return titleAt(schema, path) ?? (last === undefined ? "This value" : humanizeKey(last));
}

const TYPE_WORDS: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "yes or no",
  array: "a list",
  object: "an object",
  date: "a date",
  bigint: "a whole number",
};

function sizeWords(origin: string | undefined, count: number): string {
  if (origin === "string") return count === 1 ? "1 character" : `${count} characters`;
  if (origin === "array" || origin === "set") return count === 1 ? "1 item" : `${count} items`;
  return String(count);
}

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/**
 * One issue as a sentence about the named field. A message the schema wrote itself ("Enter the token.") is a
 * sentence already and is kept; zod's own defaults are rewritten in plain words.
 */
export function issueSentence(issue: Issue, label = fieldLabel(issue.path)): string {
  if (issue.message && !ZOD_WORDING.test(issue.message)) return sentence(issue.message);
  switch (issue.code) {
    case "invalid_type":
      // Issues keep no input; zod's message says what it received.
      if (/received (undefined|null)$/.test(issue.message)) return `${label} is required.`;
      return `${label} must be ${TYPE_WORDS[issue.expected] ?? issue.expected}.`;
    case "too_small":
      if (issue.origin === "string" && Number(issue.minimum) === 1) return `${label} cannot be empty.`;
      if (issue.origin === "array" && Number(issue.minimum) === 1) return `${label} needs at least one item.`;
      if (issue.origin === "string" || issue.origin === "array" || issue.origin === "set")
        return `${label} needs at least ${sizeWords(issue.origin, Number(issue.minimum))}.`;
      return `${label} must be ${issue.inclusive ? `${issue.minimum} or more` : `more than ${issue.minimum}`}.`;
    case "too_big":
      if (issue.origin === "string" || issue.origin === "array" || issue.origin === "set")
        return `${label} can have at most ${sizeWords(issue.origin, Number(issue.maximum))}.`;
      return `${label} must be ${issue.inclusive ? `${issue.maximum} or less` : `less than ${issue.maximum}`}.`;
    case "invalid_value":
      return issue.values.length === 1
        ? `${label} must be ${JSON.stringify(issue.values[0])}.`
        : `${label} must be one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}.`;
    case "invalid_format":
      if (issue.format === "url") return `${label} must be a full URL, e.g. https://example.com.`;
      if (issue.format === "email") return `${label} must be an email address, e.g. name@example.com.`;
      if (issue.format === "uuid") return `${label} must be an id (a UUID).`;
      if (issue.format === "regex") return `${label} is not in the expected form.`;
      return `${label} must be a valid ${issue.format.replace(/_/g, " ")}.`;
    case "not_multiple_of":
      return `${label} must be a multiple of ${issue.divisor}.`;
    case "unrecognized_keys":
      return `${label} has fields it does not know: ${issue.keys.join(", ")}. Remove them.`;
    default:
      return `${label} is not valid.`;
  }
}

/** Every field's first problem as a sentence, keyed by its dotted path ("" for the whole value). */
export function fieldSentences(error: ZodError, schema?: ZodType): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".");
    fields[key] ??= issueSentence(issue, fieldLabel(issue.path, schema));
  }
  return fields;
}

/** The first problem of a failed parse as one sentence, and the dotted path of its field. */
export function firstProblem(error: ZodError, schema?: ZodType): { field: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { field: "", message: "This value is not valid." };
  return { field: issue.path.map(String).join("."), message: issueSentence(issue, fieldLabel(issue.path, schema)) };
}
