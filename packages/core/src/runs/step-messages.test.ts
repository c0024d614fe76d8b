import { appendHeaders, type Message, type MessageHeader, withBody } from "@tributary/engine";
import { describe, expect, it } from "vitest";
import { packStepMessages, unpackStepMessages } from "./step-messages.ts";

const traced = (stepId: string): MessageHeader[] => [
  { name: "x-tributary-step", value: stepId, stepId },
  { name: "x-tributary-step-started", value: "2026-12-04T10:00:00.000Z", stepId },
  { name: "x-tributary-step-finished", value: "2026-12-04T10:00:00.001Z", stepId },
  { name: "x-tributary-step-attempt", value: "1", stepId },
];

const runInput: Message = {
  id: "m-1",
  headers: [
    { name: "content-type", value: "application/json" },
    { name: "user-agent", value: "curl/8" },
  ],
  body: { id: 1 },
};

/** What a step's row holds of its run, as `traced` writes it into its headers. */
const row = (stepId: string) => ({
  stepId,
  startedAt: new Date("2026-12-04T10:00:00.000Z"),
  finishedAt: new Date("2026-12-04T10:00:00.001Z"),
  attempt: 1,
});

type Step = ReturnType<typeof row> & { key: string; input: Message | null; message: Message | null };

/** A step that ran on `input`: its output adds its trace headers and a body of its own. */
const ran = (key: string, input: Message, body: unknown) => ({
  key,
  ...row(key),
  input,
  message: appendHeaders(withBody(input, body), traced(key)),
});

/** Stores the steps and reads them back, as a database would hand them over: JSON text. */
const roundTrip = (steps: Step[]) => {
  const packed = packStepMessages(runInput, steps);
  const rows = steps.map(({ key, stepId, startedAt, finishedAt, attempt }, i) => ({
    activationKey: key,
    stepId,
    startedAt,
    finishedAt,
    attempt,
    ...packed[i],
  }));
  const stored = JSON.parse(JSON.stringify(rows)) as (ReturnType<typeof row> & {
    activationKey: string;
    input: unknown;
    output: unknown;
  })[];
  return { stored, read: unpackStepMessages(runInput, stored) };
};

const headersStored = (stored: { input: unknown; output: unknown }[]) =>
  stored.reduce((sum, step) => sum + countHeaders(step.input) + countHeaders(step.output), 0);

const countHeaders = (message: unknown): number => {
  const headers = (message as { headers?: unknown } | null)?.headers;
  if (Array.isArray(headers)) return headers.length;
  return (headers as { added?: unknown[] } | undefined)?.added?.length ?? 0;
};

describe("step messages", () => {
  it("reads a chain of steps back whole while storing each header once", () => {
    const start = ran("start", runInput, runInput.body);
    const shape = ran("shape", start.message, { total: 13 });
    const branch = ran("big", shape.message, { total: 13 });
    const tax = ran("tax", branch.message, { total: 13, tax: 2.6 });
    const steps = [start, shape, branch, tax];

    const { stored, read } = roundTrip(steps);

    expect(read.map((step) => [step.input, step.output])).toEqual(steps.map((step) => [step.input, step.message]));
    // Whole, the lists repeat: 2+6, 6+10, 10+14, 14+18 = 80 headers. Packed: none, the 16 the steps added being
    // their trace headers, made again from their rows.
    expect(headersStored(stored)).toBe(0);
    expect(stored[0]?.output).toMatchObject({ headers: { extends: "input", trace: true, added: [] } });
    // An input that is the message handed on is a reference alone, its body not stored again.
    expect(stored[1]?.input).toEqual({ sameAs: "step", key: "start" });
    expect(stored[0]?.input).toEqual({ sameAs: "run" });
  });

  it("refers to the list a header was first added with, so parallel steps that pass a message on are not named", () => {
    const start = ran("start", runInput, runInput.body);
    // A disabled step passes its input on unchanged; a later step that only follows `start` must not name it.
    const passed = { key: "off", ...row("off"), input: start.message, message: start.message };
    const next = ran("next", start.message, { n: 1 });
    const { stored, read } = roundTrip([start, passed, next]);

    expect(stored[1]?.output).toEqual({ sameAs: "input" });
    expect(stored[2]?.input).toEqual({ sameAs: "step", key: "start" });
    expect(read[1]?.output).toEqual(start.message);
    expect(read[2]?.input).toEqual(next.input);
  });

  it("extends a list with headers added on the way, as a loop's items are", () => {
    const start = ran("start", runInput, [1, 2]);
    const items = [0, 1].map((index) =>
      ran(
        `each[${index}]/double`,
        appendHeaders(withBody(start.message, index + 1), [{ name: "x-tributary-loop-index", value: String(index) }]),
        (index + 1) * 2,
      ),
    );
    const { stored, read } = roundTrip([start, ...items]);

    expect(stored[1]?.input).toMatchObject({
      headers: { extends: "step", key: "start", added: [{ name: "x-tributary-loop-index", value: "0" }] },
    });
    expect(read.map((step) => step.output)).toEqual([start, ...items].map((step) => step.message));
  });

  it("finds a list by its headers' values when the step's messages are copies (redacted)", () => {
    const start = ran("start", runInput, runInput.body);
    const copy = structuredClone(start.message);
    const next = ran("next", copy, { ok: true });
    const { stored, read } = roundTrip([start, next]);

    expect(stored[1]?.input).toMatchObject({ headers: { extends: "step", key: "start", added: [] } });
    expect(read[1]?.input).toEqual(copy);
  });

  it("stores whole what extends no list it knows, and reads whole lists (stored before packing) as they are", () => {
    const unrelated: Message = { id: "m-2", headers: [{ name: "x-other", value: "1" }], body: null };
    const step = ran("elsewhere", unrelated, 1);
    const { stored, read } = roundTrip([step, { key: "failed", ...row("failed"), input: null, message: null }]);

    expect(stored[0]?.input).toEqual(unrelated);
    expect(stored[0]?.output).toMatchObject({ headers: { extends: "input", trace: true, added: [] } });
    expect(read[0]?.output).toEqual(step.message);
    expect(read[1]).toMatchObject({ input: null, output: null });
  });

  it("keeps trace headers that are not its row's (a step that added its own first) and headers after them", () => {
    const start = ran("start", runInput, 1);
    const own = [{ name: "x-status", value: "200", stepId: "call" }];
    const call = { ...ran("call", start.message, 2), finishedAt: new Date("2026-12-04T10:00:00.002Z") };
    const fetched = { ...ran("fetched", start.message, 3) };
    fetched.message = appendHeaders(fetched.message, own);
    const { stored, read } = roundTrip([start, call, fetched]);

    expect(stored[1]?.output).toMatchObject({ headers: { extends: "input", added: traced("call") } });
    expect(stored[2]?.output).toMatchObject({ headers: { extends: "input", trace: true, added: own } });
    expect(read.map((step) => step.output)).toEqual([start, call, fetched].map((step) => step.message));
  });

  it("reads a reference to a step that is not there as what the message added, rather than failing", () => {
    const stored = [
      {
        activationKey: "next",
        ...row("next"),
        input: { id: "m-1", headers: { extends: "step", key: "gone", added: traced("x") }, body: 1 },
        output: null,
      },
    ];
    expect(unpackStepMessages(runInput, stored)[0]?.input).toEqual({ id: "m-1", headers: traced("x"), body: 1 });
  });
});
