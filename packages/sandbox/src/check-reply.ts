// The worker reads a sandbox process's reply as it would read anything from outside: a process that was
// made to misbehave must not be able to hand the worker something it would trip over.

import { checkJsonDepth } from "./json-depth.ts";
import { type CodeLimits, MAX_RESULT_DEPTH } from "./limits.ts";
import { type CodeStepResult, LOG_LEVELS, SANDBOX_ERROR_CODES } from "./protocol.ts";

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
const isString = (value: unknown): value is string => typeof value === "string";

/** The reply's result when it has the shape and size a sandbox process may send, else undefined. */
export function checkResult(value: unknown, limits: CodeLimits): CodeStepResult | undefined {
  if (!isObject(value) || typeof value.ok !== "boolean" || !Array.isArray(value.logs)) return undefined;
  // One more line than the limit: the note that says how many were dropped.
  if (value.logs.length > limits.logLines + 1) return undefined;
  let logBytes = 0;
  for (const line of value.logs) {
    if (!isObject(line) || !isString(line.message) || !isString(line.at)) return undefined;
    if (!LOG_LEVELS.includes(line.level as never)) return undefined;
    logBytes += line.message.length;
  }
  if (logBytes > limits.logBytes + 256) return undefined;
  if (value.cpuMs !== undefined && typeof value.cpuMs !== "number") return undefined;

  if (value.ok) {
    const result = value.result;
    if (!isObject(result) || !("body" in result) || !checkJsonDepth(result.body, MAX_RESULT_DEPTH)) return undefined;
    const headers = result.headers;
    if (headers !== undefined) {
      if (!Array.isArray(headers) || !headers.every((h) => isObject(h) && isString(h.name) && isString(h.value))) {
        return undefined;
      }
    }
    return value as CodeStepResult;
  }
  const error = value.error;
  if (!isObject(error) || !isString(error.message) || !SANDBOX_ERROR_CODES.includes(error.code as never)) {
    return undefined;
  }
  if (error.stack !== undefined && !isString(error.stack)) return undefined;
  return value as CodeStepResult;
}
