// Steps that decide where a message goes: branch, switch, filter, loop, merge, delay.
import { z } from "zod";
import { defineAction, defineConnector, StepFailure, text } from "../define.ts";

const expression = (title: string, description: string) =>
  z
    .string()
    .min(1, { message: `${title} is required.` })
    .meta({ title, description, widget: "expression" });

export const branch = defineAction({
  type: "flow.branch",
  effects: "none",
  example: { config: { condition: "total > 100" }, input: { total: 120 } },
  title: "If / else",
  description: "Sends the message to “true” or “false” by a condition.",
  category: "Flow control",
  config: z.object({ condition: expression("Condition", "JSONata, e.g. total > 100") }),
  expressionFields: ["condition"],
  outputs: () => ["true", "false"],
  async run({ config, evaluate }) {
    return { output: truthy(await evaluate(config.condition, "condition")) ? "true" : "false" };
  },
});

export const switchStep = defineAction({
  type: "flow.switch",
  effects: "none",
  example: {
    config: {
      cases: [
        { name: "eu", condition: "country in ['DE', 'FR']" },
        { name: "us", condition: "country = 'US'" },
      ],
    },
  },
  title: "Switch",
  description: "Sends the message to the first case whose condition holds, else to “default”.",
  category: "Flow control",
  config: z.object({
    cases: z
      .array(
        z.object({
          name: z
            .string()
            .regex(/^[a-z][a-z0-9_-]{0,31}$/, { message: "Case names: lowercase letters, digits, _ and -." }),
          condition: z.string().min(1),
        }),
      )
      .min(1)
      .refine((cases) => new Set(cases.map((c) => c.name)).size === cases.length, {
        message: "Case names must differ.",
      })
      .refine((cases) => cases.every((c) => c.name !== "default" && c.name !== "error"), {
        message: '"default" and "error" are taken.',
      })
      .meta({ title: "Cases", widget: "cases" }),
  }),
  outputs: (config) => [
    ...(config.cases ?? []).map((c) => c?.name).filter((name) => typeof name === "string" && name !== ""),
    "default",
  ],
  async run({ config, evaluate }) {
    for (const [index, { name, condition }] of config.cases.entries()) {
      if (truthy(await evaluate(condition, `cases.${index}.condition`))) return { output: name };
    }
    return { output: "default" };
  },
});

export const filter = defineAction({
  type: "flow.filter",
  effects: "none",
  example: { config: { condition: "status = 'paid'" } },
  title: "Filter",
  description: "Lets the message through only when the condition holds; otherwise its path ends here.",
  category: "Flow control",
  config: z.object({ condition: expression("Keep when", "JSONata, e.g. status = 'paid'") }),
  expressionFields: ["condition"],
  async run({ config, evaluate }) {
    return { output: truthy(await evaluate(config.condition, "condition")) ? "out" : null };
  },
});

export const loop = defineAction({
  type: "flow.loop",
  effects: "none",
  example: { config: { items: "order.lines", concurrency: 4 } },
  title: "Loop over items",
  description: "Runs each item through the steps on “item”; the results, in order, leave on “done”.",
  category: "Flow control",
  behavior: "loop",
  config: z.object({
    items: expression("Items", "JSONata giving a list, e.g. order.lines").default("$"),
    concurrency: z.number().int().min(1).max(100).default(1).meta({ title: "Items at once" }),
    maxItems: z.number().int().min(1).max(100_000).default(10_000).meta({ title: "At most" }),
  }),
  expressionFields: ["items"],
  outputs: () => ["item", "done"],
  async run({ config, evaluate }) {
    const value = await evaluate(config.items, "items");
    const items = value === null ? [] : Array.isArray(value) ? value : [value];
    if (items.length > config.maxItems) {
      throw new StepFailure(`The loop got ${items.length} items; it allows at most ${config.maxItems}.`);
    }
    return { output: "item", body: items };
  },
});

export const merge = defineAction({
  type: "flow.merge",
  effects: "none",
  example: { config: {} },
  title: "Merge",
  description: "Waits for every incoming path that will deliver, then continues once with all their messages.",
  category: "Flow control",
  behavior: "merge",
  config: z.object({}),
  // The planner does the merging; a merge step is never executed on its own.
  async run({ message }) {
    return { body: message.body };
  },
});

export const delay = defineAction({
  type: "flow.delay",
  effects: "none",
  needsWorker: "time",
  example: { config: { seconds: 3600 } },
  title: "Delay",
  description: "Waits before passing the message on. Long waits leave the worker and cost nothing.",
  category: "Flow control",
  config: z.object({
    seconds: z
      .number()
      .min(0)
      .max(30 * 24 * 3600)
      .optional()
      .meta({ title: "Wait (seconds)" }),
    until: text().optional().meta({ title: "Or until (ISO time or {{ expression }})" }),
  }),
  async run({ config, resumption }) {
    if (resumption?.until) return { output: "out" };
    const until = config.until ? new Date(config.until) : new Date(Date.now() + (config.seconds ?? 0) * 1000);
    if (Number.isNaN(until.getTime())) throw new StepFailure(`"${config.until}" is not a date and time.`);
    if (until.getTime() <= Date.now()) return { output: "out" };
    return { park: { until } };
  },
});

export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

export const flowControlConnector = defineConnector({
  id: "flow",
  title: "Flow control",
  description: "Branch, switch, filter, loop, merge and delay.",
  steps: [branch, switchStep, filter, loop, merge, delay],
});
