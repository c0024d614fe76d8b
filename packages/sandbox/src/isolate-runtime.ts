// What a context is set up with before it runs steps: console and the globals a step sees, and `start`,
// which gives one run its ctx, calls the step, and turns whatever came back or was thrown into one JSON
// string. The sandbox process compiles `isolateRuntime.toString()` into each isolate, so this function
// must stay self-contained: no imports, nothing from the module around it.
//
// It captures every intrinsic it uses before any step runs (lock-down.ts then freezes them all), so what
// a step might do to JSON, Object, Array or Promise cannot change how its result is read, and it reads
// each value of the result exactly once while writing it, so a getter, Proxy or toJSON cannot show the
// check one thing and the writer another.
// Nothing of the host enters the isolate but `hostLog`, an isolated-vm Callback that copies its two strings.

import { lockDown } from "./lock-down.ts";

export type HostLog = (level: string, text: string) => void;

/** Runs the step; `finish` is called after the isolate has drained its microtasks. */
export type StartStep = (factory: unknown, inputJson: string) => () => string;

/** What `finish` returns, as JSON. */
export type StepEnvelope =
  | { kind: "ok"; body: unknown; headers: { name: string; value: string }[] }
  | { kind: "error"; name: string; message: string; stack: string }
  | { kind: "invalid"; message: string }
  | { kind: "too_large" };

export function isolateRuntime(hostLog: HostLog): StartStep {
  const global = globalThis as unknown as Record<string, unknown>;
  const { parse, stringify } = JSON;
  const { freeze, keys, getPrototypeOf, defineProperty, create } = Object;
  const { apply, deleteProperty } = Reflect;
  const { min } = Math;
  const isArray = Array.isArray;
  const objectPrototype = Object.prototype;
  const isFiniteNumber = Number.isFinite;
  const StringOf = String;
  const TypeErrorOf = TypeError;
  const PromiseOf = Promise;
  const promiseResolve = Promise.resolve;
  const promiseThen = Promise.prototype.then;
  const WeakSetOf = WeakSet;
  const weakSetAdd = WeakSet.prototype.add;
  const weakSetHas = WeakSet.prototype.has;
  const WeakMapOf = WeakMap;
  const weakMapGet = WeakMap.prototype.get;
  const weakMapSet = WeakMap.prototype.set;
  const stringSlice = String.prototype.slice;
  const LOG_LINE_CHARS = 8192;

  const clip = (text: string, max: number): string =>
    text.length > max ? `${apply(stringSlice, text, [0, max]) as string}…` : text;

  // Not needed to transform JSON, and each widens what a hostile step can try: WebAssembly memory lives
  // outside the isolate's limit, SharedArrayBuffer and Atomics can block, and FinalizationRegistry and
  // Atomics.waitAsync schedule callbacks that would run after the step, outside its time limit.
  for (const name of ["WebAssembly", "SharedArrayBuffer", "Atomics", "FinalizationRegistry"]) {
    deleteProperty(global, name);
  }

  let logChars = LOG_LINE_CHARS;
  const show = (value: unknown): string => {
    try {
      if (typeof value === "string") return value;
      if (typeof value === "object" && value !== null && typeof (value as Error).message === "string") {
        const name = (value as Error).name;
        return `${typeof name === "string" ? name : "Error"}: ${(value as Error).message}`;
      }
      const json = stringify(value);
      return typeof json === "string" ? json : StringOf(value);
    } catch {
      try {
        return StringOf(value);
      } catch {
        return "[unprintable]";
      }
    }
  };
  const logger =
    (level: string) =>
    (...args: unknown[]): void => {
      let text = "";
      for (let i = 0; i < args.length; i++) text += (i ? " " : "") + show(args[i]);
      hostLog(level, clip(text, logChars));
    };
  const console = freeze({
    log: logger("log"),
    info: logger("info"),
    warn: logger("warn"),
    error: logger("error"),
    debug: logger("debug"),
  });
  defineProperty(global, "console", { value: console, writable: false, configurable: false });

  const deepFreeze = <T>(value: T): T => {
    if (typeof value === "object" && value !== null) {
      const names = keys(value);
      for (let i = 0; i < names.length; i++) deepFreeze((value as Record<string, unknown>)[names[i] as string]);
      freeze(value);
    }
    return value;
  };

  // Only objects made by ctx.message() are full messages: a body that happens to look like one (data passed
  // through from a webhook, say) can never be taken for one.
  const fullMessages = new WeakSetOf<object>();

  class InvalidResult extends TypeErrorOf {}
  class TooLarge extends TypeErrorOf {}

  const describe = (error: unknown): { name: string; message: string; stack: string } => {
    const read = (get: () => unknown): string | undefined => {
      try {
        const value = get();
        return typeof value === "string" ? value : undefined;
      } catch {
        return undefined;
      }
    };
    if (error === null || (typeof error !== "object" && typeof error !== "function")) {
      return { name: "Error", message: clip(read(() => StringOf(error)) ?? "unknown error", 4096), stack: "" };
    }
    const message =
      read(() => (error as Error).message) ??
      (typeof error === "function" ? "a function was thrown" : read(() => StringOf(error))) ??
      "an error was thrown that could not be read";
    return {
      name: clip(read(() => (error as Error).name) || "Error", 128),
      message: clip(message, 4096),
      stack: clip(read(() => (error as Error).stack) ?? "", 16384),
    };
  };

  // Envelopes are written by hand: JSON.stringify of an object would consult a toJSON the step may have
  // planted on Object.prototype. stringify of a string primitive never does.
  const errorEnvelope = ({ name, message, stack }: { name: string; message: string; stack: string }) =>
    `{"kind":"error","name":${stringify(name)},"message":${stringify(message)},"stack":${stringify(stack)}}`;
  const invalidEnvelope = (message: string) => `{"kind":"invalid","message":${stringify(message)}}`;

  return function start(factory: unknown, inputJson: string): () => string {
    let state: "pending" | "done" | "failed" = "pending";
    let value: unknown;
    let failure: unknown;
    let maxOutput = 0;
    let maxDepth = 0;
    let maxHeaders = 0;
    try {
      const input = parse(inputJson) as {
        message: unknown;
        ctx: { run: unknown; secrets: unknown };
        maxOutput: number;
        maxDepth: number;
        maxHeaders: number;
        logChars: number;
      };
      ({ maxOutput, maxDepth, maxHeaders } = input);
      logChars = min(input.logChars, LOG_LINE_CHARS);
      const ctx = freeze({
        run: deepFreeze(input.ctx.run),
        secrets: deepFreeze(input.ctx.secrets),
        log: console,
        /** Returns a full message (a body and headers to append) instead of only a body. */
        message(full: { body?: unknown; headers?: unknown }) {
          if (typeof full !== "object" || full === null) {
            throw new TypeErrorOf("ctx.message expects { body, headers }, e.g. ctx.message({ body, headers: [] })");
          }
          const reply = freeze({ body: full.body, headers: full.headers });
          apply(weakSetAdd, fullMessages, [reply]);
          return reply;
        },
      });
      const exported = typeof factory === "function" ? (factory as () => { default?: unknown })() : undefined;
      const main = exported?.default;
      if (typeof main !== "function") {
        throw new TypeErrorOf(
          "The code step must export a default function: export default async function (message, ctx) { … }",
        );
      }
      const returned = main(input.message, ctx);
      apply(promiseThen, apply(promiseResolve, PromiseOf, [returned]), [
        (result: unknown) => {
          state = "done";
          value = result;
        },
        (error: unknown) => {
          state = "failed";
          failure = error;
        },
      ]);
    } catch (error) {
      state = "failed";
      failure = error;
    }

    return function finish(): string {
      try {
        if (state === "pending") {
          return errorEnvelope({
            name: "Error",
            message:
              "The step's promise never settled. Code steps have no timers or I/O, so nothing is left that could settle it.",
            stack: "",
          });
        }
        if (state === "failed") return errorEnvelope(describe(failure));
        return resultEnvelope();
      } catch {
        // Only a step that broke the runtime's own footing gets here (a stack overflow, say).
        return invalidEnvelope("the result could not be read");
      }
    };

    function resultEnvelope(): string {
      // JSON.stringify does the writing (native, and each value is read once: what the replacer checks is
      // what is written). The replacer tracks the chain of objects it is inside, by depth, in
      // null-prototype records: a step cannot reach them through Array.prototype setters.
      const depths = new WeakMapOf<object, number>();
      const chain: Record<number, object> = create(null);
      const chainKeys: Record<number, string> = create(null);
      const chainIsArray: Record<number, boolean> = create(null);
      let size = 0;
      const pathTo = (holderDepth: number, key: string): string => {
        let path = "result";
        for (let depth = 1; depth <= holderDepth + 1; depth++) {
          const name = depth <= holderDepth ? (chainKeys[depth] as string) : key;
          path += chainIsArray[depth - 1] ? `[${name}]` : `.${name}`;
        }
        return path;
      };
      const replacer = function (this: unknown, key: string, item: unknown): unknown {
        const holderDepth =
          typeof this === "object" && this !== null
            ? ((apply(weakMapGet, depths, [this]) as number | undefined) ?? -1)
            : -1;
        // A lower bound of the output's length, so a huge result stops early rather than being built.
        size += key.length + 1;
        switch (typeof item) {
          case "string":
            size += item.length;
            break;
          case "number":
            if (!isFiniteNumber(item)) {
              throw new InvalidResult(`${pathTo(holderDepth, key)} is ${StringOf(item)}, which JSON cannot hold`);
            }
            break;
          case "function":
          case "symbol":
          case "bigint":
            throw new InvalidResult(`${pathTo(holderDepth, key)} is a ${typeof item}, which JSON cannot hold`);
          case "object": {
            if (item === null) break;
            const depth = holderDepth + 1;
            if (depth >= maxDepth) throw new InvalidResult(`the result is nested more than ${maxDepth} levels deep`);
            for (let i = 0; i < depth; i++) {
              if (chain[i] === item)
                throw new InvalidResult(`${pathTo(holderDepth, key)} refers back to itself (a cycle)`);
            }
            const array = isArray(item);
            const prototype = array ? null : getPrototypeOf(item);
            if (prototype !== null && prototype !== objectPrototype) {
              throw new InvalidResult(
                `${pathTo(holderDepth, key)} is not a plain object or array (convert it to plain JSON first)`,
              );
            }
            chain[depth] = item;
            chainKeys[depth] = key;
            chainIsArray[depth] = array;
            apply(weakMapSet, depths, [item, depth]);
          }
        }
        if (size > maxOutput) throw new TooLarge();
        return item;
      };

      try {
        const full = typeof value === "object" && value !== null && apply(weakSetHas, fullMessages, [value]);
        const reply = full ? (value as { body: unknown; headers: unknown }) : { body: value, headers: undefined };
        const body = stringify(reply.body === undefined ? null : reply.body, replacer as never) as string | undefined;
        let out = `{"kind":"ok","body":${body ?? "null"},"headers":[`;
        const headers = reply.headers;
        if (headers !== undefined) {
          if (!isArray(headers)) throw new InvalidResult("ctx.message headers must be an array of { name, value }");
          if (headers.length > maxHeaders) throw new InvalidResult(`a step may add at most ${maxHeaders} headers`);
          for (let i = 0; i < headers.length; i++) {
            const header = headers[i] as { name?: unknown; value?: unknown } | null;
            const name = header?.name;
            const text = header?.value;
            if (typeof name !== "string" || name === "" || typeof text !== "string") {
              throw new InvalidResult(
                `headers[${i}] must be { name, value } with a non-empty string name and a string value`,
              );
            }
            out += `${i ? "," : ""}{"name":${stringify(name)},"value":${stringify(text)}}`;
          }
        }
        out += "]}";
        if (out.length > maxOutput) throw new TooLarge();
        return out;
      } catch (error) {
        if (error instanceof TooLarge) return '{"kind":"too_large"}';
        if (error instanceof InvalidResult) return invalidEnvelope(error.message);
        return invalidEnvelope(`reading the result threw: ${describe(error).message}`);
      }
    }
  };
}

/**
 * The source the sandbox process compiles into each isolate: strict, and evaluating to a function that sets
 * up the runtime in a context, locks the context down and returns the runtime's `start`.
 */
export const ISOLATE_RUNTIME_SOURCE = `"use strict";(function (hostLog) {
  const start = (${isolateRuntime.toString()})(hostLog);
  (${lockDown.toString()})();
  return start;
})`;

/** Frames from this file are the sandbox's own and never shown to the step's author. */
export const RUNTIME_FILENAME = "tributary-runtime.js";
