// What every format step shares: where its input comes from (the body, or the "Input" field), where its
// result goes (the body, or one field of it), and how bytes travel in a message — as the webhook ingress
// keeps them: { contentType, size, base64 }.

import type { Message } from "@tributary/engine";
import { z } from "zod";
import { StepFailure } from "../define.ts";
import { placeResult, resultField } from "../result-field.ts";

export type Binary = { contentType: string; size: number; base64: string };

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

export function isBinary(value: unknown): value is Binary {
  return Boolean(value && typeof value === "object" && typeof (value as Binary).base64 === "string");
}

export function binary(bytes: Uint8Array, contentType: string): Binary {
  return { contentType, size: bytes.byteLength, base64: Buffer.from(bytes).toString("base64") };
}

/** Bytes of any input: binary as its bytes, text as UTF-8, anything else as its JSON. */
export function bytesOf(value: unknown): Uint8Array {
  if (isBinary(value)) return Buffer.from(value.base64, "base64");
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value ?? null), "utf8");
}

/** Text to parse: text itself, or binary read as UTF-8; anything else is refused with the type it was. */
export function textOf(value: unknown, what: string): string {
  if (typeof value === "string") return value;
  if (isBinary(value)) return Buffer.from(value.base64, "base64").toString("utf8");
  throw new StepFailure(`The input must be ${what} as text, not ${Array.isArray(value) ? "a list" : typeof value}.`, {
    code: "invalid_input",
  });
}

/** Decoded bytes as text when they are UTF-8, else kept as binary. */
export function textOrBinary(bytes: Uint8Array, contentType = "application/octet-stream"): string | Binary {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return binary(bytes, contentType);
  }
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
