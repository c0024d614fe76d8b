// What starts a run. Triggers do no work of their own in a run: the message they receive is the run's input.
// Their config is read where runs start: the webhook ingress, the scheduler, the "Run" button, other flows.
import { z } from "zod";
import { defineConnector, defineTrigger, headerList } from "../define.ts";
import { type Timing, timingFields, timingProblem } from "./schedule-timing.ts";

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export const webhookTrigger = defineTrigger({
  type: "trigger.webhook",
  example: {
    config: { path: "orders/{shop}", methods: ["POST"], responseMode: "async" },
    input: { id: "A-1", total: 42 },
  },
  title: "Webhook",
  description: "Starts a run for each HTTP request to the flow's URL.",
  category: "Triggers",
  config: z.object({
    path: z
      .string()
      .regex(/^[a-zA-Z0-9_\-./{}]+$/, { message: "Use letters, digits, - _ . / and {param} segments." })
      .min(1)
      .max(200)
      .meta({ title: "Path", description: "The URL is /hooks/<workspace>/<path>; {name} segments become params." }),
    methods: z.array(z.enum(HTTP_METHODS)).min(1).default(["POST"]).meta({ title: "Allowed methods" }),
    responseMode: z
      .enum(["async", "sync"])
      .default("async")
      .meta({ title: "Answer", description: "async: 202 with the run id at once; sync: the flow's response." }),
    timeoutSeconds: z.number().int().min(1).max(300).default(30).meta({ title: "Sync timeout (s)" }),
    securityRuleIds: z.array(z.uuid()).default([]).meta({ title: "Security rules", widget: "securityRules" }),
  }),
});

/** Timing errors land on the field they concern, so the config panel shows them in place. */
function checkTiming(config: Timing, context: z.RefinementCtx) {
  const problem = timingProblem(config);
  if (problem) context.addIssue({ code: "custom", message: problem.message, path: [problem.field] });
}

export const scheduleTrigger = defineTrigger({
  type: "trigger.schedule",
  example: { config: { cron: "0 7 * * 1-5", timezone: "Europe/Berlin", body: { report: "daily" } } },
  title: "Schedule",
  description: "Starts a run on a cron schedule or at a fixed interval.",
  category: "Triggers",
  config: z
    .object({
      ...timingFields,
      body: z.unknown().optional().meta({ title: "Message body", widget: "json" }),
    })
    .superRefine(checkTiming),
});

/** How long a poll remembers an item key it no longer sees, unless its config says otherwise. */
export const POLL_SEEN_RETENTION_DAYS = 30;

export const pollTrigger = defineTrigger({
  type: "trigger.poll",
  example: {
    config: {
      url: "https://api.example.com/orders?status=new",
      items: "data.orders",
      dedupeKey: "id",
      intervalSeconds: 300,
    },
  },
  title: "Poll an HTTP API",
  description:
    "Fetches a URL on a schedule and starts one run for each item it has not seen before. A failed run's item is a dead letter, to replay from the flow's Dead letters page.",
  category: "Triggers",
  config: z
    .object({
      url: z.url({ protocol: /^https?$/, message: "Enter an http(s) URL." }).meta({ title: "URL" }),
      headers: headerList().default([]).meta({ title: "Headers", widget: "keyValue" }),
      items: z
        .string()
        .max(2000)
        .default("$")
        .meta({ title: "Items", description: "JSONata: the list of items in the response body, e.g. data.orders" }),
      dedupeKey: z
        .string()
        .max(2000)
        .default("id")
        .meta({ title: "Item key", description: "JSONata per item: what makes it new, e.g. id or id & updatedAt" }),
      forgetSeenAfterDays: z.number().int().min(1).max(3650).default(POLL_SEEN_RETENTION_DAYS).meta({
        title: "Forget seen items after (days)",
        description:
          "An item key is remembered while the API keeps returning it, and this long after it last did; an item that comes back later runs again.",
      }),
      ...timingFields,
    })
    .superRefine(checkTiming),
});

export const manualTrigger = defineTrigger({
  type: "trigger.manual",
  example: { config: { sample: { id: "A-1", total: 42 } } },
  title: "Manual",
  description: "Starts a run when someone presses Run, with a message they write.",
  category: "Triggers",
  config: z.object({ sample: z.unknown().optional().meta({ title: "Sample message body", widget: "json" }) }),
});

export const subflowTrigger = defineTrigger({
  type: "trigger.subflow",
  example: { config: {} },
  title: "Called by a flow",
  description: "Starts a run when another flow calls this one; the called flow's result goes back to the caller.",
  category: "Triggers",
  config: z.object({}),
});

export const triggersConnector = defineConnector({
  id: "triggers",
  title: "Triggers",
  description: "What starts runs.",
  steps: [webhookTrigger, scheduleTrigger, pollTrigger, manualTrigger, subflowTrigger],
});
