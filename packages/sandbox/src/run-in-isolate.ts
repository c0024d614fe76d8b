// Runs one code step in its workspace's isolate, within its limits. Synchronous on
// purpose: the sandbox process runs one step at a time, and sync calls into a prepared context cost
// microseconds where each async call costs a thread hop (about 0.1 ms). If a call never returns (isolated-vm
// runs a step's getters when it copies an unhandled rejection, outside any timeout), the worker kills the
// process at its deadline. Every other failure, whatever the step did, becomes a result with a code.
import type ivm from "isolated-vm";
import type { IsolatePool } from "./isolate-pool.ts";
import type { StepEnvelope } from "./isolate-runtime.ts";
import { checkJsonDepth } from "./json-depth.ts";
import { MAX_ADDED_HEADERS, MAX_RESULT_DEPTH } from "./limits.ts";
import { type CodeStepResult, LOG_LEVELS, type LogLine, type RunRequest, type SandboxErrorCode } from "./protocol.ts";

const TIMED_OUT = "Script execution timed out.";

// What a step most often reaches for and cannot have, and what to do instead.
const NOT_DEFINED_HINTS: Record<string, string> = {
  setTimeout: "code steps have no timers; use a Delay step to wait",
  setInterval: "code steps have no timers; use a Loop step to repeat",
  setImmediate: "code steps have no timers",
  require: "code steps cannot load modules; they get the message and ctx, and return JSON",
  process: "code steps run without Node APIs; ctx.run and ctx.secrets hold what a step may know",
  Buffer: "code steps run without Node APIs; they work on strings and JSON",
  fetch: "code steps have no network access; use an HTTP step before or after this one",
};

// What V8 says when code changes a frozen object: ctx, or a built-in or global (lock-down.ts).
const CHANGED_FROZEN =
  /^Cannot (add property|define property|assign to read only property|redefine property|delete property)/;
const FROZEN_HINT =
  "ctx, the built-ins and the global object are frozen in code steps: keep values in your own variables and objects";

export function runInIsolate({ pool, request }: { pool: IsolatePool; request: RunRequest }): CodeStepResult {
  const { limits } = request;
  const logs = createLogCollector(limits);
  const budgetMs = Math.min(limits.cpuMs, limits.wallMs);

  let acquired: ReturnType<IsolatePool["acquire"]>;
  let prepared: ReturnType<IsolatePool["context"]>;
  try {
    acquired = pool.acquire({ workspaceId: request.workspaceId, memoryMb: limits.memoryMb });
    prepared = pool.context(acquired.warm);
  } catch (error) {
    return failure("sandbox_crashed", `Could not start a sandbox for the step: ${messageOf(error)}`, logs.done());
  }
  const { warm } = acquired;
  const { isolate } = warm;
  const { context, start, sink } = prepared;
  sink.write = logs.add;

  const startedAt = performance.now();
  const cpuBefore = isolate.cpuTime;
  const cpuMs = () => (isolate.isDisposed ? undefined : Number(isolate.cpuTime - cpuBefore) / 1e6);
  const timeLeft = () => Math.max(1, Math.ceil(budgetMs - (performance.now() - startedAt)));
  const references: ivm.Reference[] = [];
  // The context serves the next run only if this one ends the ordinary way, with an envelope.
  let keepContext = false;
  try {
    let script: ivm.Script;
    try {
      script = pool.script(warm, request.code);
    } catch (error) {
      return failure(
        "runtime_error",
        `The stored code of this step does not compile (${messageOf(error)}); publish the flow again.`,
        logs.done(),
      );
    }
    const factory = script.runSync(context, { reference: true, timeout: timeLeft() }) as ivm.Reference;
    references.push(factory);
    const input = JSON.stringify({
      message: request.message,
      ctx: request.ctx,
      maxOutput: limits.outputBytes,
      maxDepth: MAX_RESULT_DEPTH,
      maxHeaders: MAX_ADDED_HEADERS,
      logChars: limits.logBytes,
    });
    const finish = start.applySync(undefined, [factory.derefInto(), input], {
      result: { reference: true },
      timeout: timeLeft(),
    }) as ivm.Reference<() => string>;
    references.push(finish);
    const envelope = finish.applySync(undefined, [], { timeout: timeLeft() });
    keepContext = true;
    return toResult({ envelope, limits, logs: logs.done(), cpuMs: cpuMs() ?? 0 });
  } catch (error) {
    const elapsedMs = performance.now() - startedAt;
    const used = cpuMs();
    if (isolate.isDisposed) {
      return failure(
        "memory_limit",
        `The step used more than its ${limits.memoryMb} MB of memory and was stopped.`,
        logs.done(),
      );
    }
    if (messageOf(error) === TIMED_OUT && elapsedMs >= budgetMs - 1) {
      // The isolate's timer is wall time; a step that had the CPU for most of it hit its CPU limit, one
      // that did not was starved by a busy machine, and saying so is the honest answer.
      if (budgetMs === limits.cpuMs && used !== undefined && used >= elapsedMs / 2) {
        return failure(
          "cpu_limit",
          `The step ran longer than its ${limits.cpuMs} ms of CPU time and was stopped.`,
          logs.done(),
          used,
        );
      }
      return failure(
        "timeout",
        `The step did not finish within ${budgetMs} ms (it had ${Math.round(used ?? 0)} ms of CPU) and was stopped.`,
        logs.done(),
        used,
      );
    }
    // Our calls never throw what the step threw; what gets here is a promise the step left rejected with
    // no handler, which isolated-vm reports after the call.
    const stack = error instanceof Error && typeof error.stack === "string" ? error.stack : undefined;
    return {
      ok: false,
      error: {
        code: "runtime_error",
        message: `Unhandled promise rejection: ${messageOf(error)}`,
        ...(stack ? { stack } : {}),
      },
      logs: logs.done(),
      ...(used !== undefined ? { cpuMs: used } : {}),
    };
  } finally {
    sink.write = undefined;
    try {
      if (!isolate.isDisposed) for (const reference of references) reference.release();
    } finally {
      pool.settle(warm, { keepContext });
    }
  }
}

function toResult({
  envelope,
  limits,
  logs,
  cpuMs,
}: {
  envelope: unknown;
  limits: RunRequest["limits"];
  logs: LogLine[];
  cpuMs: number;
}): CodeStepResult {
  // The runtime wrote this string, but inside the step's context: check it as if the step had.
  if (typeof envelope !== "string") return failure("invalid_result", "The step's result could not be read.", logs);
  if (Buffer.byteLength(envelope) > limits.outputBytes + 64) {
    return failure("output_too_large", tooLarge(limits), logs, cpuMs);
  }
  let parsed: StepEnvelope;
  try {
    parsed = JSON.parse(envelope) as StepEnvelope;
  } catch {
    return failure("invalid_result", "The step's result is not valid JSON.", logs, cpuMs);
  }
  switch (parsed.kind) {
    case "ok": {
      if (!checkJsonDepth(parsed.body, MAX_RESULT_DEPTH)) {
        return failure(
          "invalid_result",
          `The step's result is nested more than ${MAX_RESULT_DEPTH} levels deep.`,
          logs,
        );
      }
      const headers = Array.isArray(parsed.headers) ? parsed.headers : [];
      if (!headers.every((h) => typeof h?.name === "string" && typeof h.value === "string")) {
        return failure("invalid_result", "The step's headers must be { name, value } strings.", logs, cpuMs);
      }
      const added = headers.map(({ name, value }) => ({ name, value }));
      return { ok: true, result: { body: parsed.body, ...(added.length ? { headers: added } : {}) }, logs, cpuMs };
    }
    case "error": {
      const name = String(parsed.name);
      const text = String(parsed.message);
      const missing = name === "ReferenceError" ? /^(\w+) is not defined$/.exec(text)?.[1] : undefined;
      const hint =
        missing && Object.hasOwn(NOT_DEFINED_HINTS, missing)
          ? ` (${NOT_DEFINED_HINTS[missing]})`
          : name === "TypeError" && CHANGED_FROZEN.test(text)
            ? ` (${FROZEN_HINT})`
            : "";
      const message = `${name}: ${text}${hint}`;
      const stack = typeof parsed.stack === "string" && parsed.stack ? parsed.stack : undefined;
      return { ok: false, error: { code: "runtime_error", message, ...(stack ? { stack } : {}) }, logs, cpuMs };
    }
    case "invalid":
      return failure("invalid_result", `The step's result is not plain JSON: ${String(parsed.message)}.`, logs, cpuMs);
    case "too_large":
      return failure("output_too_large", tooLarge(limits), logs, cpuMs);
    default:
      return failure("invalid_result", "The step's result could not be read.", logs, cpuMs);
  }
}

const tooLarge = (limits: RunRequest["limits"]) =>
  `The step's result is larger than its ${limits.outputBytes} bytes. Return less, or split the work.`;

function failure(code: SandboxErrorCode, message: string, logs: LogLine[], cpuMs?: number): CodeStepResult {
  return { ok: false, error: { code, message }, logs, ...(cpuMs !== undefined ? { cpuMs } : {}) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Console lines of one run, capped by lines and bytes; what is dropped is counted in a last line. */
function createLogCollector(limits: RunRequest["limits"]) {
  const lines: LogLine[] = [];
  let bytes = 0;
  let dropped = 0;
  return {
    add(level: unknown, text: unknown) {
      if (typeof text !== "string") return;
      const size = Buffer.byteLength(text);
      if (lines.length >= limits.logLines || bytes + size > limits.logBytes) {
        dropped++;
        return;
      }
      bytes += size;
      const known = LOG_LEVELS.find((l) => l === level) ?? "log";
      lines.push({ level: known, message: text, at: new Date().toISOString() });
    },
    done(): LogLine[] {
      if (!dropped) return lines;
      const note = `${dropped} more log line${dropped === 1 ? " was" : "s were"} dropped (limit ${limits.logLines} lines / ${limits.logBytes} bytes).`;
      return [...lines, { level: "warn", message: note, at: new Date().toISOString() }];
    },
  };
}
