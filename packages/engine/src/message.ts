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
