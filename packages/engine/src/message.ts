// The message that flows through a run: its id is stable for the whole run, its headers are an append-only
// list (steps add, never rewrite history), its body is any JSON.

export type MessageHeader = { name: string; value: string; stepId?: string; at?: string };

export type Message = { id: string; headers: MessageHeader[]; body: unknown };

/** Headers the worker appends as a step runs, so every message tells its own history. */
export const STEP_HEADERS = {
  stepId: "x-tributary-step",
  started: "x-tributary-step-started",
  finished: "x-tributary-step-finished",
  attempt: "x-tributary-step-attempt",
  error: "x-tributary-step-error",
  loopIndex: "x-tributary-loop-index",
} as const;

/** The four headers a step's run appends to its output first: which step, when it started and ended, which attempt. */
export function traceHeaders({
  stepId,
  startedAt,
  finishedAt,
  attempt,
}: {
  stepId: string;
  startedAt: Date;
  finishedAt: Date;
  attempt: number;
}): MessageHeader[] {
  return [
    { name: STEP_HEADERS.stepId, value: stepId, stepId },
    { name: STEP_HEADERS.started, value: startedAt.toISOString(), stepId },
    { name: STEP_HEADERS.finished, value: finishedAt.toISOString(), stepId },
    { name: STEP_HEADERS.attempt, value: String(attempt), stepId },
  ];
}

export function createMessage({
  id,
  body,
  headers = [],
}: {
  id: string;
  body: unknown;
  headers?: MessageHeader[];
}): Message {
  return { id, headers: [...headers], body };
}

/** A new message with `added` appended; the original is untouched. */
export function appendHeaders(message: Message, added: MessageHeader[]): Message {
  return { ...message, headers: [...message.headers, ...added] };
}

/** The same message id and history, a new body. */
export function withBody(message: Message, body: unknown): Message {
  return { ...message, body };
}

/** The last value of a header (names compare case-insensitively), or undefined. */
export function headerValue(message: Message, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (let i = message.headers.length - 1; i >= 0; i--) {
    const header = message.headers[i];
    if (header && header.name.toLowerCase() === wanted) return header.value;
  }
  return undefined;
}

/** Headers as a name → value map, the last value of a name winning. */
export function headerMap(message: Message): Record<string, string> {
  const map: Record<string, string> = {};
  for (const header of message.headers) map[header.name.toLowerCase()] = header.value;
  return map;
}

/**
 * What a body is, in words for an error a person reads: "text (“hello…”, 11 characters)", "an empty object
 * ({})", "a list of 3 items"… Steps that need a shape name what they got instead of acting on a wrong one.
 */
export function describeBody(body: unknown): string {
  if (body === null || body === undefined) return "empty (null)";
  if (typeof body === "string") {
    const shown = body.length > 40 ? `${body.slice(0, 40)}…` : body;
    return `text (“${shown}”, ${body.length} characters)`;
  }
  if (typeof body === "number" || typeof body === "boolean") return `a ${typeof body} (${String(body)})`;
  if (Array.isArray(body)) return `a list of ${body.length} item${body.length === 1 ? "" : "s"}`;
  if (typeof body === "object") {
    const { base64, contentType } = body as { base64?: unknown; contentType?: unknown };
    if (typeof base64 === "string") return `binary data (${String(contentType ?? "application/octet-stream")})`;
    const keys = Object.keys(body);
    return keys.length ? `an object with ${keys.join(", ")}` : "an empty object ({})";
  }
  return typeof body;
}
