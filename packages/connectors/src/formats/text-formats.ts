// Text made for people and for HL7 v2 systems: templates (e.g. an email body) and HL7 messages.
import { z } from "zod";
import { defineAction, text } from "../define.ts";
import { inputOf, ioFields, parsing, resultOf, textOf } from "./format-io.ts";
import { type Hl7Message, parseHl7, serializeHl7 } from "./hl7.ts";

export const hl7Format = defineAction({
  type: "format.hl7",
  effects: "none",
  example: {
    config: { direction: "parse" },
    input: "MSH|^~\\&|LAB|HOSP|||202601011200||ORU^R01|1|P|2.5\rPID|1||42^^^HOSP||DOE^JANE",
    output: {
      segments: [
        { name: "MSH", fields: ["MSH", "|", "^~\\&", "LAB", "…"] },
        { name: "PID", fields: ["PID", "1", "", ["42", "", "", "HOSP"], "", ["DOE", "JANE"]] },
      ],
    },
  },
  title: "HL7 v2",
  description:
    "Parses an HL7 v2 message into segments (fields[n] is field n: PID-5 is fields[5]; components as lists, repetitions as { repetitions }) or writes one back.",
  category: "Formats",
  config: z.object({
    direction: z
      .enum(["parse", "write"])
      .default("parse")
      .meta({ title: "Direction", description: "parse: HL7 text → segments; write: segments → HL7 text" }),
    ...ioFields,
  }),
  async run({ config, message }) {
    const input = inputOf(config, message);
    const result =
      config.direction === "parse"
        ? parsing("HL7 v2", () => parseHl7(textOf(input, "an HL7 v2 message")))
        : parsing("HL7 v2 segments", () => serializeHl7(input as Hl7Message));
    return resultOf(config, message, result);
  },
});

export const textTemplate = defineAction({
  type: "format.template",
  effects: "none",
  example: {
    config: { template: "Dear {{ customer.name }},\nyour order {{ id }} has shipped.", resultField: "email" },
    input: { id: "A-1", customer: { name: "Ada" } },
    output: { id: "A-1", customer: { name: "Ada" }, email: "Dear Ada,\nyour order A-1 has shipped." },
  },
  title: "Text template",
  description:
    "Writes text from a template whose {{ expressions }} are filled from the message, e.g. an email body: Dear {{ customer.name }}, …",
  category: "Formats",
  config: z.object({
    template: text()
      .pipe(
        z
          .string()
          .min(1, { message: "Write the template." })
          .max(256 * 1024),
      )
      .meta({ title: "Template", widget: "textarea" }),
    resultField: ioFields.resultField,
  }),
  async run({ config, message }) {
    return resultOf(config, message, config.template);
  },
});
