// What every format step shares: where its input comes from (the body, or the "Input" field) and where its
// result goes (the body, or one field of it).

import type { Message } from "@tributary/engine";
import { z } from "zod";
import { StepFailure } from "../define.ts";
import { isBinary } from "../payload.ts";
import { placeResult, resultField } from "../result-field.ts";

export const ioFields = {
  input: z.unknown().optional().meta({
    title: "Input",
    description: "Empty: the message body. E.g. {{ payload }} to convert one field.",
    widget: "json",
  }),
  resultField: resultField(),
};

export function inputOf(config: { input?: unknown }, message: Message): unknown {
  return config.input === undefined || config.input === "" ? message.body : config.input;
}

export function resultOf(config: { resultField?: string | undefined }, message: Message, result: unknown) {
  return placeResult(config.resultField, message, result);
}

/** Text to parse: text itself, or binary read as UTF-8; anything else is refused with the type it was. */
export function textOf(value: unknown, what: string): string {
  if (typeof value === "string") return value;
  if (isBinary(value)) return Buffer.from(value.base64, "base64").toString("utf8");
  throw new StepFailure(`The input must be ${what} as text, not ${Array.isArray(value) ? "a list" : typeof value}.`, {
    code: "invalid_input",
  });
}

/** Runs a parser, turning what it throws into a step failure that says what the input was not. */
export function parsing<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof StepFailure) throw error;
    throw new StepFailure(`The input is not valid ${what}: ${(error as Error).message}`, { code: "invalid_input" });
  }
}
