// A TypeScript code step, compiled at publish and run in the sandbox (packages/sandbox).
import { z } from "zod";
import { defineAction, defineConnector, StepFailure } from "../define.ts";

export const CODE_TEMPLATE = `export default async function (message: Message, ctx: StepContext) {
  // message.body is the incoming JSON; return the new body (or ctx.message({ body, headers })).
  // Message, StepContext and CodeStep are the step's types; they are checked when the flow is validated.
  return message.body;
}
`;

export const codeStep = defineAction({
  type: "code.typescript",
  effects: "none",
  needsWorker: "sandbox",
  example: {
    config: {
      source:
        "export default (message: { body: { qty: number; price: number } }) => ({ amount: message.body.qty * message.body.price });\n",
    },
    input: { qty: 2, price: 3 },
    output: { amount: 6 },
  },
  title: "Code",
  description:
    "Runs your TypeScript on the message in a sandbox: JSON in, JSON out, console output in the step log. Each run starts afresh: the step's module is evaluated anew, and the built-ins and globals are frozen, so no run can change what the next one sees.",
  category: "Code",
  config: z.object({
    source: z
      .string()
      .min(1, { message: "Write the code, or remove the step." })
      .max(256 * 1024)
      .default(CODE_TEMPLATE)
      .meta({ title: "Code", widget: "code" }),
    secrets: z.array(z.string()).default([]).meta({ title: "Secrets the code may read", widget: "secrets" }),
  }),
  async run({ config, message, sandbox, compiled, run, secrets, codeLimits, log }) {
    if (!compiled)
      throw new StepFailure("This code step was not compiled; publish the flow again.", { code: "not_compiled" });
    const allowed = Object.fromEntries(
      config.secrets.filter((name) => name in secrets).map((name) => [name, secrets[name] ?? ""]),
    );
    const result = await sandbox.run({
      workspaceId: run.workspaceId,
      code: compiled.code,
      sourceMap: compiled.sourceMap,
      message: {
        id: message.id,
        headers: message.headers.map(({ name, value }) => ({ name, value })),
        body: message.body,
      },
      ctx: {
        run: {
          id: run.id,
          flowId: run.flowId,
          workspaceId: run.workspaceId,
          stepId: run.stepId,
          attempt: run.attempt,
          isTest: run.isTest,
        },
        secrets: allowed,
      },
      limits: codeLimits,
    });
    for (const line of result.logs) log(line.level === "log" ? "info" : line.level, line.message);
    if (!result.ok) {
      const detail = result.error.stack ? `\n${result.error.stack}` : "";
      throw new StepFailure(`${result.error.message}${detail}`, {
        code: result.error.code,
        transient: result.error.code === "sandbox_crashed",
      });
    }
    return { body: result.result.body, ...(result.result.headers ? { headers: result.result.headers } : {}) };
  },
});

export const codeConnector = defineConnector({
  id: "code",
  title: "Code",
  description: "Sandboxed TypeScript.",
  steps: [codeStep],
});
