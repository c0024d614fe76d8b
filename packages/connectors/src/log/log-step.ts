// Writes a line into the run's log, the seeds' verbose per-message logging, and passes the message on.
import { z } from "zod";
import { defineAction, defineConnector, text } from "../define.ts";

export const logStep = defineAction({
  type: "util.log",
  effects: "none",
  example: { config: { level: "info", message: "Order {{ id }} priced at {{ total }}" } },
  title: "Log",
  description: "Writes a line (with {{ expressions }}) to the step log and passes the message on unchanged.",
  category: "Utilities",
  config: z.object({
    level: z.enum(["debug", "info", "warn", "error"]).default("info").meta({ title: "Level" }),
    message: text().pipe(z.string().min(1).max(8192)).meta({ title: "Message" }),
  }),
  async run({ config, log }) {
    log(config.level, config.message);
    return {};
  },
});

export const logConnector = defineConnector({
  id: "log",
  title: "Log",
  description: "Write to the run log.",
  steps: [logStep],
});
