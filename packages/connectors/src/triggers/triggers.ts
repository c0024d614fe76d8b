// What starts a run. Triggers do no work of their own in a run: the message they receive is the run's input.
// Their config is read where runs start: the webhook ingress, the scheduler, the "Run" button, other flows.
import { z } from "zod";
import { defineConnector, defineTrigger } from "../define.ts";

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export const webhookTrigger = defineTrigger({
  type: "trigger.webhook",
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

export const scheduleTrigger = defineTrigger({
  type: "trigger.schedule",
  title: "Schedule",
  description: "Starts a run on a cron schedule or at a fixed interval.",
  category: "Triggers",
  config: z
    .object({
      cron: z.string().max(100).optional().meta({ title: "Cron", description: "e.g. 0 9 * * 1-5 (9:00 on weekdays)" }),
      timezone: z.string().max(64).default("UTC").meta({ title: "Time zone" }),
      intervalSeconds: z.number().int().min(1).max(31_536_000).optional().meta({ title: "Every (seconds)" }),
      startAt: z.iso.datetime().optional().meta({ title: "Start at" }),
      endAt: z.iso.datetime().optional().meta({ title: "End at" }),
      missed: z.enum(["run-once", "skip"]).default("run-once").meta({ title: "Ticks missed while down" }),
      body: z.unknown().optional().meta({ title: "Message body", widget: "json" }),
    })
    .refine((c) => Boolean(c.cron) !== Boolean(c.intervalSeconds), {
      message: "Set either a cron expression or an interval, not both.",
      path: ["cron"],
    }),
});

export const manualTrigger = defineTrigger({
  type: "trigger.manual",
  title: "Manual",
  description: "Starts a run when someone presses Run, with a message they write.",
  category: "Triggers",
  config: z.object({ sample: z.unknown().optional().meta({ title: "Sample message body", widget: "json" }) }),
});

export const subflowTrigger = defineTrigger({
  type: "trigger.subflow",
  title: "Called by a flow",
  description: "Starts a run when another flow calls this one; the called flow's result goes back to the caller.",
  category: "Triggers",
  config: z.object({}),
});

export const triggersConnector = defineConnector({
  id: "triggers",
  title: "Triggers",
  description: "What starts runs.",
  steps: [webhookTrigger, scheduleTrigger, manualTrigger, subflowTrigger],
});
