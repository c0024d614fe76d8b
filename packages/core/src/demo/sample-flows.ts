// The flows a demo workspace starts with: each shows a part of the product and runs as it is. Outbound
// calls go to the sample API that Tributary serves itself (the only host a demo may call).
import type { FlowGraph } from "@tributary/engine";

export type SampleFlow = {
  name: string;
  description: string;
  graph: FlowGraph;
  sample: { trigger: string; body: unknown };
};

export function sampleFlows(demoApiUrl: string): SampleFlow[] {
  return [
    {
      name: "Quote over a webhook",
      description: "A webhook that prices an order and answers the caller with the quote.",
      graph: {
        version: 1,
        steps: [
          {
            id: "order",
            type: "trigger.webhook",
            config: { path: "quote", responseMode: "sync", methods: ["POST"] },
            position: { x: 0, y: 0 },
          },
          {
            id: "price",
            type: "data.transform",
            config: { expression: "{ 'item': item, 'quantity': qty, 'total': qty * 4.5, 'currency': 'EUR' }" },
            position: { x: 280, y: 0 },
          },
          { id: "answer", type: "http.respond", config: { status: 200 }, position: { x: 560, y: 0 } },
        ],
        edges: [
          { from: "order", to: "price", output: "out" },
          { from: "price", to: "answer", output: "out" },
        ],
      },
      sample: { trigger: "webhook", body: { item: "tea", qty: 3 } },
    },
    {
      name: "Hourly check of late orders",
      description: "A schedule that calls an HTTP API and branches on what it finds.",
      graph: {
        version: 1,
        steps: [
          {
            id: "hourly",
            type: "trigger.schedule",
            config: { cron: "0 * * * *", timezone: "UTC" },
            position: { x: 0, y: 0 },
          },
          {
            id: "orders",
            type: "http.request",
            config: { method: "GET", url: `${demoApiUrl}/orders` },
            position: { x: 280, y: 0 },
          },
          {
            id: "late",
            type: "flow.branch",
            config: { condition: "$count(orders[status = 'late']) > 0" },
            position: { x: 560, y: 0 },
          },
          {
            id: "alert",
            type: "util.log",
            config: { level: "warn", message: "Some orders are late." },
            position: { x: 840, y: -80 },
          },
          { id: "fine", type: "util.log", config: { message: "Every order is on time." }, position: { x: 840, y: 80 } },
        ],
        edges: [
          { from: "hourly", to: "orders", output: "out" },
          { from: "orders", to: "late", output: "out" },
          { from: "late", to: "alert", output: "true" },
          { from: "late", to: "fine", output: "false" },
        ],
      },
      sample: { trigger: "schedule", body: { firedAt: new Date().toISOString() } },
    },
    {
      name: "Loop with a code step",
      description: "Each line of an order goes through a TypeScript step; the results are collected.",
      graph: {
        version: 1,
        steps: [
          {
            id: "start",
            type: "trigger.manual",
            config: {
              sample: {
                lines: [
                  { sku: "A", qty: 2, price: 3 },
                  { sku: "B", qty: 1, price: 10 },
                ],
              },
            },
            position: { x: 0, y: 0 },
          },
          { id: "each", type: "flow.loop", config: { items: "lines" }, position: { x: 280, y: 0 } },
          {
            id: "line",
            type: "code.typescript",
            config: {
              source:
                "type Line = { sku: string; qty: number; price: number };\n\nexport default (message: { body: Line }) => {\n  const line = message.body;\n  return { sku: line.sku, amount: line.qty * line.price };\n};\n",
            },
            position: { x: 560, y: -80 },
          },
          {
            id: "total",
            type: "data.transform",
            config: { expression: "{ 'total': $sum($.amount) }" },
            position: { x: 560, y: 80 },
          },
        ],
        edges: [
          { from: "start", to: "each", output: "out" },
          { from: "each", to: "line", output: "item" },
          { from: "each", to: "total", output: "done" },
        ],
      },
      sample: {
        trigger: "manual",
        body: {
          lines: [
            { sku: "A", qty: 2, price: 3 },
            { sku: "B", qty: 1, price: 10 },
          ],
        },
      },
    },
    {
      name: "Retry, then an error path",
      description: "An API that fails: the step retries with back-off, then the error output takes over.",
      graph: {
        version: 1,
        steps: [
          { id: "start", type: "trigger.manual", config: {}, position: { x: 0, y: 0 } },
          {
            id: "call",
            type: "http.request",
            config: { method: "GET", url: `${demoApiUrl}/unavailable` },
            retry: { attempts: 3, initialDelayMs: 500, maxDelayMs: 2_000, multiplier: 2, retryOn: "transient" },
            position: { x: 280, y: 0 },
          },
          { id: "done", type: "util.log", config: { message: "The API answered." }, position: { x: 560, y: -80 } },
          {
            id: "fallback",
            type: "util.log",
            config: { level: "error", message: "The API stayed down: {{ error.message }}" },
            position: { x: 560, y: 80 },
          },
        ],
        edges: [
          { from: "start", to: "call", output: "out" },
          { from: "call", to: "done", output: "out" },
          { from: "call", to: "fallback", output: "error" },
        ],
      },
      sample: { trigger: "manual", body: {} },
    },
  ];
}
