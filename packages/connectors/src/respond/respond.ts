// The answer to a webhook caller who waits (sync mode): status, headers and body.
import { z } from "zod";
import { defineAction, defineConnector, headerList } from "../define.ts";

export const respond = defineAction({
  type: "http.respond",
  effects: "none",
  example: { config: { status: 201, headers: [{ name: "location", value: "/orders/{{ id }}" }] } },
  title: "Respond",
  description: "Sets the answer a waiting webhook caller gets. The flow may go on after it.",
  category: "HTTP",
  behavior: "respond",
  config: z.object({
    status: z.number().int().min(100).max(599).default(200).meta({ title: "Status" }),
    headers: headerList().default([]).meta({ title: "Headers", widget: "keyValue" }),
    body: z.unknown().optional().meta({ title: "Body", description: "Empty: the message body.", widget: "json" }),
  }),
  async run({ config, message }) {
    const body = config.body === undefined ? message.body : config.body;
    return {
      body,
      respond: {
        status: config.status,
        headers: Object.fromEntries(config.headers.map((h) => [h.name.toLowerCase(), h.value])),
      },
    };
  },
});

export const respondConnector = defineConnector({
  id: "respond",
  title: "Respond",
  description: "Answer webhook callers.",
  steps: [respond],
});
