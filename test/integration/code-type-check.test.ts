// Code steps are type-checked at validation and publish, against the typings of the message and ctx: a type
// error is a located problem of the step's "source" field, and publishing is refused until it is fixed.
import { getFlow } from "@tributary/core";
import { describe, expect, it } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import { callerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";

const env = useTestEnvironment();

const withCode = (source: string) => ({
  version: 1,
  steps: [
    { id: "start", type: "trigger.manual", config: {} },
    { id: "calc", type: "code.typescript", name: "Calculate", config: { source } },
  ],
  edges: [{ from: "start", to: "calc", output: "out" }],
});

async function owner() {
  const seeded = await seedWorkspace({ db: env.db });
  return { workspaceId: seeded.workspace.id, caller: callerFor({ env, user: seeded.owner }) };
}

describe("type-checking code steps", () => {
  it("reports a type error with its line, column and the compiler's message", async () => {
    const { workspaceId, caller } = await owner();
    const problems = await caller.flows.validate({
      workspaceId,
      graph: withCode('export default async function (message, ctx) {\n  const x: number = "abc";\n  return x;\n}\n'),
    });
    expect(problems).toEqual([
      {
        code: "invalid_config",
        stepId: "calc",
        field: "source",
        location: { line: 2, column: 9, endLine: 2, endColumn: 10 },
        message: `Code "Calculate", line 2, column 9: Type 'string' is not assignable to type 'number'.`,
      },
    ]);
  });

  it("types the message and ctx: typed steps pass, misuse of ctx is caught", async () => {
    const { workspaceId, caller } = await owner();
    const typed = [
      "type Order = { qty: number; price: number };",
      "export default function (message: Message<Order>, ctx: StepContext) {",
      "  ctx.log.info(ctx.run.id, ctx.run.attempt, ctx.secrets.TOKEN);",
      "  const amount: number = message.body.qty * message.body.price;",
      '  return ctx.message({ body: { amount }, headers: [{ name: "x-amount", value: String(amount) }] });',
      "}",
    ].join("\n");
    expect(await caller.flows.validate({ workspaceId, graph: withCode(typed) })).toEqual([]);

    const wrong = await caller.flows.validate({
      workspaceId,
      graph: withCode(
        "export default (message: Message, ctx: StepContext) => {\n  const attempt: string = ctx.run.attempt;\n  return ctx.run.retries;\n};\n",
      ),
    });
    expect(wrong.map((problem) => [problem.location?.line, problem.message])).toEqual([
      [2, expect.stringContaining("Type 'number' is not assignable to type 'string'.")],
      [3, expect.stringContaining("Property 'retries' does not exist")],
    ]);
  });

  it("says that Node APIs, network and timers are not there, instead of suggesting @types/node", async () => {
    const { workspaceId, caller } = await owner();
    const problems = await caller.flows.validate({
      workspaceId,
      graph: withCode(
        "export default async () => {\n  await fetch('https://example.com');\n  return process.env;\n};\n",
      ),
    });
    expect(problems.map((problem) => problem.message)).toEqual([
      expect.stringContaining("Cannot find name 'fetch': code steps have no Node APIs, network or timers."),
      expect.stringContaining("Cannot find name 'process': code steps have no Node APIs, network or timers."),
    ]);
    expect(problems.map((problem) => problem.message).join(" ")).not.toContain("@types/node");
  });

  it("refuses to publish a draft with a type error, with the error in the refusal, and publishes once fixed", async () => {
    const { workspaceId, caller } = await owner();
    const flow = await caller.flows.create({
      workspaceId,
      name: "Typed",
      graph: withCode('export default () => {\n  const x: number = "abc";\n  return { x };\n};\n'),
    });
    const refused = await caller.flows.publish({ workspaceId, flowId: flow.id }).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: "BAD_REQUEST",
      message: "The flow has 1 problem; fix it to publish.",
    });
    const details = (refused as { cause?: { details?: unknown } }).cause?.details as {
      validation: { location?: unknown; message: string }[];
    };
    expect(details.validation[0]).toMatchObject({
      location: { line: 2, column: 9 },
      message: expect.stringContaining("Type 'string' is not assignable to type 'number'."),
    });
    expect((await getFlow({ db: env.db, workspaceId, flowId: flow.id })).currentVersion).toBeNull();

    const saved = await getFlow({ db: env.db, workspaceId, flowId: flow.id });
    await caller.flows.saveDraft({
      workspaceId,
      flowId: flow.id,
      baseRevision: saved.draftRevision,
      graph: withCode("export default () => {\n  const x: number = 42;\n  return { x };\n};\n"),
    });
    expect(await caller.flows.publish({ workspaceId, flowId: flow.id })).toMatchObject({ number: 1 });
  });

  it("keeps a compile error (an import) to one problem, not a second type error", async () => {
    const { workspaceId, caller } = await owner();
    const problems = await caller.flows.validate({
      workspaceId,
      graph: withCode('import fs from "node:fs";\nexport default () => fs;\n'),
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain("Code steps cannot import modules");
  });
});
