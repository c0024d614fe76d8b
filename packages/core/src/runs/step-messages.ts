// How a run's steps store their messages without repeating headers or whole messages. A message's headers only ever grow (steps
// append, never rewrite), so a step's input is nearly always the run's input or an earlier step's output with
// a few headers more, and its output is its input plus the four trace headers its step appended. Stored whole,
// every step repeated every header before it, the call's own included: a run's log grew with the square of its
// length (a 4-step run stored 64 headers, ≈ 7 KB of JSON, around a body of a few dozen bytes). Stored here, a
// message's `headers` is either the list itself or what it extends and what it adds:
//   { "extends": "run", "added": [...] }              the run's input message's headers, then `added`
//   { "extends": "input", "added": [...] }            (an output) the same step's input's headers, then `added`
//   { "extends": "step", "key": K, "added": [...] }   the output headers of the step run K of the same run
// An output whose added headers begin with its step's four trace headers (which step, started, finished,
// attempt: traceHeaders) stores `"trace": true` in their place, and they are made again from the step's row,
// which holds the same four values (a third of a short run's stored bytes were these). A message that is the
// very one it would extend, adding nothing (a step's input is what the step before it handed on), is stored as
// a reference alone, its body not again: { "sameAs": "run" | "input" } or { "sameAs": "step", "key": K }.
// A reference only points to a step stored in the same commit, so what it names is the very list it was made
// from; and a list is only ever referred to by messages that descend from it, so a re-run that copies a step
// copies what it refers to (see rerunFromStep in rerun-run.ts: what is dropped descends from the step re-run,
// and the new run starts from the same input message).
import { type Message, type MessageHeader, traceHeaders } from "@tributary/engine";

type HeaderBase = { extends: "run" } | { extends: "input" } | { extends: "step"; key: string };
type PackedHeaders = HeaderBase & { trace?: true; added: MessageHeader[] };
type SameAs = { sameAs: "run" } | { sameAs: "input" } | { sameAs: "step"; key: string };

/** A step's messages as they are stored, the headers packed where they could be. */
type StoredMessage = (Omit<Message, "headers"> & { headers: MessageHeader[] | PackedHeaders }) | SameAs;

/** What a step's row says of its run: its trace headers are made from it. */
type StepTrace = { stepId: string; startedAt: Date | string; finishedAt: Date | string; attempt: number };

type StepMessages = StepTrace & { key: string; input: Message | null; message: Message | null };

/** The steps' messages to store, in their order; `runInput` is the message the run started with. */
export function packStepMessages(
  runInput: Message,
  steps: StepMessages[],
): { input: StoredMessage | null; output: StoredMessage | null }[] {
  // Lists that later ones may extend, found by their last header; the first stored with a list is its owner.
  const lists = new Map<string, { headers: MessageHeader[]; base: HeaderBase; message: Message }>();
  const offer = (message: Message, base: HeaderBase) => {
    const last = message.headers.at(-1);
    if (last && !lists.has(headerKey(last))) lists.set(headerKey(last), { headers: message.headers, base, message });
  };
  const pack = (message: Message | null, own?: { input: Message | null; trace: StepTrace }): StoredMessage | null => {
    if (!message || !Array.isArray(message.headers)) return message;
    const { headers } = message;
    /** `message` as what it adds to `of`, whose headers are `base`'s. */
    const packed = (base: HeaderBase, of: Message, added: MessageHeader[]): StoredMessage => {
      if (added.length === 0 && message.id === of.id && message.body === of.body) {
        return sameAs(base);
      }
      const trace = own ? traceHeaders(traceOf(own.trace)) : [];
      return trace.length && startsWith(added, trace)
        ? { ...message, headers: { ...base, trace: true, added: added.slice(trace.length) } }
        : { ...message, headers: { ...base, added } };
    };
    const input = own?.input;
    if (input && Array.isArray(input.headers) && startsWith(headers, input.headers)) {
      return packed({ extends: "input" }, input, headers.slice(input.headers.length));
    }
    for (let end = headers.length; end > 0; end--) {
      const list = lists.get(headerKey(headers[end - 1] as MessageHeader));
      if (list && list.headers.length === end && startsWith(headers, list.headers)) {
        return packed(list.base, list.message, headers.slice(end));
      }
    }
    return message;
  };
  offer(runInput, { extends: "run" });
  return steps.map((step) => {
    const packed = { input: pack(step.input), output: pack(step.message, { input: step.input, trace: step }) };
    if (step.message && Array.isArray(step.message.headers)) offer(step.message, { extends: "step", key: step.key });
    return packed;
  });
}

/** A run's stored steps with their messages whole again; `runInput` is the message the run started with. */
export function unpackStepMessages<S extends StepTrace & { activationKey: string; input: unknown; output: unknown }>(
  runInput: Message,
  steps: S[],
): (Omit<S, "input" | "output"> & { input: Message | null; output: Message | null })[] {
  const byKey = new Map(steps.map((step) => [step.activationKey, step]));
  const outputs = new Map<string, Message | null>();
  // A reference always points to an earlier step; `depth` only guards against a row edited by hand.
  const resolve = (message: unknown, step: S | undefined, depth: number): Message | null => {
    if (!message || typeof message !== "object") return (message as Message | null) ?? null;
    const stored = message as StoredMessage;
    if ("sameAs" in stored) return depth > steps.length ? null : referred(stored, step, depth);
    if (!isPacked(stored.headers)) return stored as Message;
    const packed = stored.headers;
    const base = depth > steps.length ? [] : (referred(sameAs(packed), step, depth)?.headers ?? []);
    const trace = packed.trace && step ? traceHeaders(traceOf(step)) : [];
    return { ...stored, headers: [...base, ...trace, ...packed.added] };
  };
  /** The message a stored one refers to: the run's input, its step's input, or an earlier step's output. */
  const referred = (ref: SameAs, step: S | undefined, depth: number): Message | null => {
    if (ref.sameAs === "run") return runInput;
    if (ref.sameAs === "input") return resolve(step?.input, step, depth + 1);
    if (outputs.has(ref.key)) return outputs.get(ref.key) ?? null;
    const source = byKey.get(ref.key);
    const output = resolve(source?.output, source, depth + 1);
    outputs.set(ref.key, output);
    return output;
  };
  return steps.map((step) => ({ ...step, input: resolve(step.input, step, 0), output: resolve(step.output, step, 0) }));
}

/** The reference to the message whose headers `base` names. */
function sameAs(base: HeaderBase): SameAs {
  return base.extends === "step" ? { sameAs: "step", key: base.key } : { sameAs: base.extends };
}

/** A row's times may come as text (read as JSON): made Dates, which print as the headers did. */
function traceOf({ stepId, startedAt, finishedAt, attempt }: StepTrace) {
  return { stepId, startedAt: asDate(startedAt), finishedAt: asDate(finishedAt), attempt };
}

const asDate = (time: Date | string) => (time instanceof Date ? time : new Date(time));

function isPacked(headers: unknown): headers is PackedHeaders {
  return !!headers && typeof headers === "object" && Array.isArray((headers as PackedHeaders).added);
}

function headerKey(header: MessageHeader): string {
  return `${header.name}\n${header.value}\n${header.stepId ?? ""}\n${header.at ?? ""}`;
}

function startsWith(headers: MessageHeader[], prefix: MessageHeader[]): boolean {
  if (prefix.length > headers.length) return false;
  for (let i = prefix.length - 1; i >= 0; i--) {
    const a = headers[i] as MessageHeader;
    const b = prefix[i] as MessageHeader;
    if (a !== b && (a.name !== b.name || a.value !== b.value || a.stepId !== b.stepId || a.at !== b.at)) return false;
  }
  return true;
}
