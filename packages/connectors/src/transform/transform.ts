// Steps that reshape a message: a JSONata transform of the body, and headers set on it.
import { z } from "zod";
import { defineAction, defineConnector, headerList } from "../define.ts";

export const transform = defineAction({
  type: "data.transform",
  effects: "none",
  example: {
    config: { expression: '{ "id": order.id, "total": $sum(order.items.price) }' },
    input: { order: { id: "A-1", items: [{ price: 2 }, { price: 3 }] } },
    output: { id: "A-1", total: 5 },
  },
  title: "Transform",
  description: "Replaces the body with the result of a JSONata expression.",
  category: "Data",
  config: z.object({
    expression: z.string().min(1, { message: "Write the expression that builds the new body." }).meta({
      title: "Expression",
      description: 'JSONata, e.g. { "id": order.id, "total": $sum(order.items.price) }',
      widget: "expression",
    }),
  }),
  expressionFields: ["expression"],
  async run({ config, evaluate }) {
    return { body: await evaluate(config.expression, "expression") };
  },
});

export const setHeaders = defineAction({
  type: "data.set-headers",
  effects: "none",
  example: { config: { headers: [{ name: "x-customer", value: "{{ customer.id }}" }] } },
  title: "Set headers",
  description: "Appends headers to the message (earlier values stay in its history).",
  category: "Data",
  config: z.object({
    headers: headerList().min(1).meta({ title: "Headers", widget: "keyValue" }),
  }),
  async run({ config }) {
    return { headers: config.headers.map(({ name, value }) => ({ name, value })) };
  },
});

export const transformConnector = defineConnector({
  id: "data",
  title: "Data",
  description: "Reshape messages.",
  steps: [transform, setHeaders],
});
