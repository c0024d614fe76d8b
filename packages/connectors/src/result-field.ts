// Where a step's result goes: replacing the body, or into one field of it (keeping the rest).

import type { Message } from "@tributary/engine";
import { z } from "zod";
import { text } from "./define.ts";

export const resultField = () =>
  text()
    .pipe(z.string().max(200))
    .optional()
    .meta({ title: "Put the result in field", description: "Empty: the result replaces the body." });

export function placeResult(field: string | undefined, message: Message, result: unknown): { body: unknown } {
  if (!field) return { body: result };
  const body = message.body && typeof message.body === "object" && !Array.isArray(message.body) ? message.body : {};
  return { body: { ...body, [field]: result } };
}
