import { describe, expect, it } from "vitest";
import { createMessage } from "./message.ts";
import { planRun } from "./plan-run.ts";
import { prepareFlow } from "./prepare-flow.ts";
import { recordsBefore } from "./rerun-from.ts";
import { RunRecords } from "./run-records.ts";
import { drive, graphOf, testCatalog } from "./test-catalog.ts";

const keys = (records: { key: string; status: string }[]) => records.map((r) => `${r.key}:${r.status}`);

describe("planRun", () => {
  it("runs a linear flow in order and ends with the last message", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["a", "add", { amount: 1 }],
        ["b", "add", { amount: 10 }],
      ],
      [
        ["start", "a"],
        ["a", "b"],
      ],
    );
    const { plan, records } = drive({ graph, body: 1 });
    expect(keys(records)).toEqual(["start:succeeded", "a:succeeded", "b:succeeded"]);
    expect(plan.status).toBe("succeeded");
    expect(plan.output?.body).toBe(12);
    expect(plan.output?.id).toBe("msg-1");
  });

  it("takes one side of a branch, skips the other, and a step both sides lead to runs once", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["check", "branch", { when: "vip" }],
        ["yes", "tag", { label: "gold" }],
        ["no", "tag", { label: "plain" }],
        ["end", "tag", { label: "done" }],
      ],
      [
        ["start", "check"],
        ["check", "yes", "true"],
        ["check", "no", "false"],
        ["yes", "end"],
        ["no", "end"],
      ],
    );
    const { plan, records } = drive({ graph, body: { vip: true } });
    expect(plan.status).toBe("succeeded");
    expect(plan.output?.body).toEqual({ vip: true, gold: true, done: true });
    expect(records.find((r) => r.stepId === "no")?.status).toBe("skipped");
    expect(records.filter((r) => r.stepId === "end")).toHaveLength(1);
  });

  it("fans out to parallel steps, and a merge waits for both", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["left", "tag", { label: "l" }],
        ["right", "tag", { label: "r" }],
        ["join", "merge"],
      ],
      [
        ["start", "left"],
        ["start", "right"],
        ["left", "join"],
        ["right", "join"],
      ],
    );
    const rounds: string[][] = [];
    const { plan } = drive({ graph, body: {}, onRound: (ready) => rounds.push(ready) });
    expect(rounds).toEqual([["start"], ["left", "right"]]);
    expect(plan.output?.body).toEqual({ left: { l: true }, right: { r: true } });
  });

  it("a merge does not wait for a branch that was not taken (dead-path elimination)", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["check", "branch", { when: "go" }],
        ["a", "tag", { label: "a" }],
        ["b", "tag", { label: "b" }],
        ["join", "merge"],
      ],
      [
        ["start", "check"],
        ["check", "a", "true"],
        ["check", "b", "false"],
        ["a", "join"],
        ["b", "join"],
      ],
    );
    const { plan, records } = drive({ graph, body: { go: false } });
    expect(plan.status).toBe("succeeded");
    expect(plan.output?.body).toEqual({ b: { go: false, b: true } });
    expect(records.find((r) => r.stepId === "a")?.status).toBe("skipped");
  });

  it("runs a step once per arriving message when two paths reach it without a merge", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["x", "add", { amount: 1 }],
        ["y", "add", { amount: 2 }],
        ["sum", "add", { amount: 100 }],
      ],
      [
        ["start", "x"],
        ["start", "y"],
        ["x", "sum"],
        ["y", "sum"],
      ],
    );
    const { records } = drive({ graph, body: 0 });
    const sums = records.filter((r) => r.stepId === "sum");
    expect(sums.map((r) => r.message?.body).sort()).toEqual([101, 102]);
    expect(new Set(sums.map((r) => r.key)).size).toBe(2);
    expect(sums.every((r) => r.key.startsWith("sum#"))).toBe(true);
  });

  it("fails the run on an unrouted error, and follows the error output when connected", () => {
    const failing = graphOf(
      [
        ["start", "manual"],
        ["boom", "fail"],
        ["after", "tag", { label: "x" }],
      ],
      [
        ["start", "boom"],
        ["boom", "after"],
      ],
    );
    const failed = drive({ graph: failing, body: {} });
    expect(failed.plan.status).toBe("failed");
    expect(failed.plan.failure).toMatchObject({ stepId: "boom", error: { message: "boom" } });
    expect(failed.records.map((r) => r.stepId)).not.toContain("after");

    const routed = graphOf(
      [
        ["start", "manual"],
        ["boom", "fail"],
        ["after", "tag", { label: "x" }],
        ["handle", "tag", { label: "handled" }],
      ],
      [
        ["start", "boom"],
        ["boom", "after"],
        ["boom", "handle", "error"],
      ],
    );
    const handled = drive({ graph: routed, body: { n: 1 } });
    expect(handled.plan.status).toBe("succeeded");
    expect(handled.plan.output?.body).toEqual({ error: "boom", input: { n: 1 }, handled: true });
    expect(handled.records.find((r) => r.stepId === "after")?.status).toBe("skipped");
  });

  it("passes a message through a disabled step", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["a", "add", { amount: 1 }],
        ["b", "add", { amount: 5 }],
      ],
      [
        ["start", "a"],
        ["a", "b"],
      ],
    );
    const b = graph.steps[2];
    if (b) b.disabled = true;
    const { plan, records } = drive({ graph, body: 1 });
    expect(plan.output?.body).toBe(2);
    expect(records.find((r) => r.stepId === "b")).toMatchObject({ status: "succeeded", port: "out" });
  });

  it("answers with the respond step's message even when other steps finish later", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["reply", "respond"],
        ["slow", "add", { amount: 1 }],
        ["slower", "add", { amount: 1 }],
      ],
      [
        ["start", "reply"],
        ["start", "slow"],
        ["slow", "slower"],
      ],
    );
    const { plan } = drive({ graph, body: 1 });
    expect(plan.output?.body).toEqual({ answered: 1 });
  });

  it("loops over items through a sub-path and collects the results in item order", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["each", "loop"],
        ["double", "add", { amount: 0 }],
        ["plus", "add", { amount: 1 }],
        ["after", "tag", { label: "x" }],
      ],
      [
        ["start", "each"],
        ["each", "double", "item"],
        ["double", "plus"],
        ["each", "after", "done"],
      ],
    );
    const { plan, records } = drive({ graph, body: [10, 20, 30] });
    expect(plan.status).toBe("succeeded");
    expect(records.find((r) => r.key === "each/done")?.message?.body).toEqual([11, 21, 31]);
    expect(records.map((r) => r.key)).toContain("each[2]/plus");
    expect(plan.output?.body).toMatchObject({ "0": 11, x: true });
  });

  it("releases at most `concurrency` loop items at a time", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["each", "loop", { concurrency: 2 }],
        ["work", "add", { amount: 1 }],
      ],
      [
        ["start", "each"],
        ["each", "work", "item"],
      ],
    );
    const rounds: string[][] = [];
    drive({ graph, body: [1, 2, 3, 4, 5], onRound: (ready) => rounds.push(ready) });
    const itemRounds = rounds.filter((round) => round.some((key) => key.includes("[")));
    expect(itemRounds.every((round) => round.length <= 2)).toBe(true);
    expect(itemRounds.flat()).toHaveLength(5);
  });

  it("runs nested loops with composed scopes", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["rows", "loop"],
        ["cells", "loop"],
        ["inc", "add", { amount: 1 }],
      ],
      [
        ["start", "rows"],
        ["rows", "cells", "item"],
        ["cells", "inc", "item"],
      ],
    );
    const { plan, records } = drive({ graph, body: [[1, 2], [3]] });
    expect(plan.status).toBe("succeeded");
    expect(records.find((r) => r.key === "rows/done")?.message?.body).toEqual([[2, 3], [4]]);
    expect(records.map((r) => r.key)).toContain("rows[0]/cells[1]/inc");
  });

  it("drops loop items a filter-like branch sends nowhere", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["each", "loop"],
        ["keep", "branch", { when: "ok" }],
        ["mark", "tag", { label: "kept" }],
      ],
      [
        ["start", "each"],
        ["each", "keep", "item"],
        ["keep", "mark", "true"],
      ],
    );
    const { records } = drive({
      graph,
      body: [
        { ok: true, n: 1 },
        { ok: false, n: 2 },
        { ok: true, n: 3 },
      ],
    });
    expect(records.find((r) => r.key === "each/done")?.message?.body).toEqual([
      { ok: true, n: 1, kept: true },
      { ok: true, n: 3, kept: true },
    ]);
  });

  it("resumes after a crash without redoing finished steps, reaching the same end", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["each", "loop", { concurrency: 3 }],
        ["inc", "add", { amount: 1 }],
        ["check", "branch", { when: "0" }],
        ["end", "merge"],
      ],
      [
        ["start", "each"],
        ["each", "inc", "item"],
        ["each", "check", "done"],
        ["check", "end", "true"],
      ],
    );
    const whole = drive({ graph, body: [1, 2, 3, 4] });
    for (let crashAt = 1; crashAt < whole.records.length; crashAt++) {
      const crashed = drive({ graph, body: [1, 2, 3, 4], crashAfter: crashAt });
      const before = crashed.records.map((r) => r.key);
      const resumed = drive({ graph, body: [1, 2, 3, 4], records: crashed.records });
      expect(resumed.records.slice(0, before.length).map((r) => r.key)).toEqual(before);
      expect(new Set(resumed.records.map((r) => r.key)).size).toBe(resumed.records.length);
      expect(resumed.plan.output).toEqual(whole.plan.output);
    }
  });

  it("is deterministic: the same state gives the same plan", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["a", "tag", { label: "a" }],
        ["b", "tag", { label: "b" }],
        ["c", "tag", { label: "c" }],
      ],
      [
        ["start", "a"],
        ["start", "b"],
        ["start", "c"],
      ],
    );
    const flow = prepareFlow({ graph, catalog: testCatalog });
    const input = createMessage({ id: "m", body: {} });
    const records = new RunRecords([
      { key: "start", stepId: "start", status: "succeeded" as const, port: "out", message: input },
    ]);
    const first = planRun(flow, { triggerStepId: "start", input, records });
    const second = planRun(flow, { triggerStepId: "start", input, records });
    expect(second).toEqual(first);
    expect(first.ready.map((a) => a.key)).toEqual(["a", "b", "c"]);
  });

  it("does not offer activations that are already running", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["a", "tag", { label: "a" }],
      ],
      [["start", "a"]],
    );
    const flow = prepareFlow({ graph, catalog: testCatalog });
    const input = createMessage({ id: "m", body: {} });
    const records = new RunRecords([
      { key: "start", stepId: "start", status: "succeeded" as const, port: "out", message: input },
    ]);
    const plan = planRun(flow, { triggerStepId: "start", input, records, running: new Set(["a"]) });
    expect(plan).toMatchObject({ ready: [], status: "running" });
  });

  it("starts only at the trigger that fired", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["hook", "webhook", { path: "in" }],
        ["a", "tag", { label: "a" }],
        ["b", "tag", { label: "b" }],
      ],
      [
        ["start", "a"],
        ["hook", "b"],
      ],
    );
    const { records } = drive({ graph, body: {}, trigger: "hook" });
    expect(keys(records).sort()).toEqual(["a:skipped", "b:succeeded", "hook:succeeded"]);
  });
});

describe("recordsBefore (re-run from a step)", () => {
  it("keeps what came before the step and drops it and everything after", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["a", "add", { amount: 1 }],
        ["b", "fail"],
        ["c", "add", { amount: 1 }],
        ["side", "add", { amount: 5 }],
      ],
      [
        ["start", "a"],
        ["a", "b"],
        ["b", "c"],
        ["start", "side"],
      ],
    );
    const { records } = drive({ graph, body: 1 });
    const flow = prepareFlow({ graph, catalog: testCatalog });
    const kept = recordsBefore({ flow, records, key: "b" });
    expect(kept.map((r) => r.key).sort()).toEqual(["a", "side", "start"]);
  });

  it("inside a loop item, also drops the loop's result and what followed the loop", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["each", "loop"],
        ["inc", "add", { amount: 1 }],
        ["after", "tag", { label: "x" }],
      ],
      [
        ["start", "each"],
        ["each", "inc", "item"],
        ["each", "after", "done"],
      ],
    );
    const { records } = drive({ graph, body: [1, 2] });
    const flow = prepareFlow({ graph, catalog: testCatalog });
    const kept = recordsBefore({ flow, records, key: "each[1]/inc" }).map((r) => r.key);
    expect(kept).toContain("each[0]/inc");
    expect(kept).not.toContain("each[1]/inc");
    expect(kept).not.toContain("each/done");
    expect(kept).not.toContain("after");
    const resumed = drive({ graph, body: [1, 2], records: recordsBefore({ flow, records, key: "each[1]/inc" }) });
    expect(resumed.records.find((r) => r.key === "each/done")?.message?.body).toEqual([2, 3]);
  });
});
