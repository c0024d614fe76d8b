// The sandbox's contract, and attempts to escape or abuse it. Each attempt must fail safely, and after
// each one the same sandbox must still run an ordinary step: the host is never harmed.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileCodeStep } from "./compile-code-step.ts";
import { createSandbox, type Sandbox } from "./create-sandbox.ts";
import type { CodeLimits } from "./limits.ts";
import type { CodeStepResult } from "./protocol.ts";

let sandbox: Sandbox;
beforeAll(() => {
  sandbox = createSandbox({ processes: 1, isolatesPerProcess: 4 });
});
afterAll(() => sandbox.close());

const ctx = (workspaceId = "ws-a") => ({
  run: { id: "run-1", flowId: "flow-1", workspaceId, stepId: "code", attempt: 1, isTest: false },
  secrets: { TOKEN: "s3cr3t-token" },
});

async function compile(source: string) {
  const compiled = await compileCodeStep({ source });
  if (!compiled.ok) throw new Error(`did not compile: ${JSON.stringify(compiled.errors)}`);
  return compiled;
}

async function run(
  source: string,
  options: { body?: unknown; workspaceId?: string; limits?: Partial<CodeLimits>; on?: Sandbox } = {},
) {
  const compiled = await compile(source);
  const workspaceId = options.workspaceId ?? "ws-a";
  return (options.on ?? sandbox).run({
    workspaceId,
    code: compiled.code,
    sourceMap: compiled.sourceMap,
    message: {
      id: "msg-1",
      headers: [{ name: "content-type", value: "application/json" }],
      body: options.body ?? { n: 2 },
    },
    ctx: ctx(workspaceId),
    limits: { cpuMs: 500, wallMs: 2_000, memoryMb: 32, ...options.limits },
  });
}

const fast = { cpuMs: 300, wallMs: 1_000 };

async function expectHealthy() {
  const result = await run("export default (m) => ({ ok: m.body.n * 2 })");
  expect(result).toMatchObject({ ok: true, result: { body: { ok: 4 } } });
}

function failed(result: CodeStepResult) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.result)}`);
  return result.error;
}

describe("code steps", () => {
  it("runs an async function and returns its body", async () => {
    const result = await run(
      "export default async function (message) { await null; return { total: message.body.n + 1 }; }",
    );
    expect(result).toMatchObject({ ok: true, result: { body: { total: 3 } }, logs: [] });
    expect(result.ok && result.result.headers).toBeUndefined();
  });

  it("returns a full message with headers to append through ctx.message", async () => {
    const result = await run(
      `export default (m, ctx) => ctx.message({ body: "done", headers: [{ name: "x-source", value: "code" }] })`,
    );
    expect(result).toMatchObject({
      ok: true,
      result: { body: "done", headers: [{ name: "x-source", value: "code" }] },
    });
  });

  it("treats a plain object with body and headers as a body, not a message", async () => {
    const result = await run(`export default () => ({ body: 1, headers: [{ name: "a", value: "b" }] })`);
    expect(result).toMatchObject({ ok: true, result: { body: { body: 1, headers: [{ name: "a", value: "b" }] } } });
  });

  it("refuses headers that are not name and value strings", async () => {
    const error = failed(await run(`export default (m, ctx) => ctx.message({ body: 1, headers: [{ name: "a" }] })`));
    expect(error).toMatchObject({ code: "invalid_result", message: expect.stringMatching(/headers\[0\]/) });
  });

  it("gives a null body when the step returns nothing, and leaves out undefined properties as JSON does", async () => {
    expect(await run(`export default () => {}`)).toMatchObject({ ok: true, result: { body: null } });
    expect(await run(`export default () => ({ a: undefined, b: [undefined], at: new Date(0) })`)).toMatchObject({
      ok: true,
      result: { body: { b: [null], at: "1970-01-01T00:00:00.000Z" } },
    });
  });

  it("captures console output into the step log", async () => {
    const result = await run(
      `export default (m, ctx) => { console.log("seen", m.body); console.warn("careful"); ctx.log.error(new TypeError("bad")); return null; }`,
    );
    expect(result.logs.map((l) => [l.level, l.message])).toEqual([
      ["log", 'seen {"n":2}'],
      ["warn", "careful"],
      ["error", "TypeError: bad"],
    ]);
    expect(Date.parse(result.logs[0]?.at ?? "")).not.toBeNaN();
  });

  it("caps the log by lines and by bytes", async () => {
    const byLines = await run(
      `export default () => { for (let i = 0; i < 1000; i++) console.log("line " + i); return 1; }`,
      { limits: { logLines: 10 } },
    );
    expect(byLines.logs).toHaveLength(11);
    expect(byLines.logs.at(-1)?.message).toMatch(/990 more log lines were dropped/);
    const byBytes = await run(`export default () => { for (let i = 0; i < 50; i++) console.log("x".repeat(5000)); }`, {
      limits: { logBytes: 12_000 },
    });
    expect(byBytes.logs.filter((l) => l.level === "log")).toHaveLength(2);
    expect(byBytes.logs.at(-1)?.message).toMatch(/48 more log lines were dropped/);
  });

  it("gives ctx: the run and the secrets passed to the step, frozen", async () => {
    const result = await run(
      `export default (m, ctx) => ({ run: ctx.run.id, step: ctx.run.stepId, attempt: ctx.run.attempt, test: ctx.run.isTest, token: ctx.secrets.TOKEN })`,
    );
    expect(result).toMatchObject({
      ok: true,
      result: { body: { run: "run-1", step: "code", attempt: 1, test: false, token: "s3cr3t-token" } },
    });
    const error = failed(await run(`export default (m, ctx) => { ctx.secrets.TOKEN = "x"; }`));
    expect(error.message).toMatch(/TypeError: Cannot assign to read only property 'TOKEN'/);
  });

  it("reports a thrown error with the TypeScript lines it came from, and only the step's own frames", async () => {
    const error = failed(
      await run(
        [
          "type In = {",
          "  body: unknown;",
          "};",
          "function check(x: number): never {",
          "  throw new RangeError('too far ' + x);",
          "}",
          "export default function (m: In) {",
          "  return [1].map((n: number) => check(n));",
          "}",
        ].join("\n"),
      ),
    );
    expect(error.code).toBe("runtime_error");
    expect(error.message).toBe("RangeError: too far 1");
    const frames = error.stack?.split("\n") ?? [];
    expect(frames[0]).toBe("at check (code-step.ts:5:9)");
    expect(frames.every((frame) => frame.includes("(code-step.ts:"))).toBe(true);
    expect(error.stack).not.toMatch(/tributary-runtime|node:|isolated-vm|sandbox/);
  });

  it("reports an error thrown by the module's top-level code, inside the sandbox's guard", async () => {
    const error = failed(await run("const x: number = 1;\nthrow new Error('at load ' + x);\nexport default () => 1"));
    expect(error).toMatchObject({ code: "runtime_error", message: "Error: at load 1" });
    expect(error.stack).toMatch(/code-step\.ts:2:/);
  });

  it("explains what a step reaches for and cannot have", async () => {
    const error = failed(await run(`export default () => new Promise((resolve) => setTimeout(resolve, 10))`));
    expect(error.message).toBe(
      "ReferenceError: setTimeout is not defined (code steps have no timers; use a Delay step to wait)",
    );
  });

  it("refuses a ctx from another workspace and limits out of range before anything runs", async () => {
    const compiled = await compile("export default () => 1");
    const step = { code: compiled.code, message: { id: "m", headers: [], body: null } };
    await expect(sandbox.run({ ...step, workspaceId: "ws-a", ctx: ctx("ws-b") })).rejects.toThrow(/workspaceId/);
    await expect(sandbox.run({ ...step, workspaceId: "ws-a", ctx: ctx(), limits: { memoryMb: 2 } })).rejects.toThrow(
      /memoryMb must be a whole number from 8/,
    );
  });

  it("runs the steps of many workspaces at once on several processes without mixing them up", async () => {
    const pair = createSandbox({ processes: 2, isolatesPerProcess: 2 });
    try {
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          run(`export default (m, ctx) => [ctx.run.workspaceId, m.body.i]`, {
            on: pair,
            workspaceId: `ws-${i % 5}`,
            body: { i },
          }),
        ),
      );
      results.forEach((result, i) => {
        expect(result).toMatchObject({ ok: true, result: { body: [`ws-${i % 5}`, i] } });
      });
    } finally {
      await pair.close();
    }
  });

  it("close() settles steps still waiting, and refuses new ones", async () => {
    const short = createSandbox({ processes: 1 });
    const compiled = await compile("export default () => 1");
    const step = {
      workspaceId: "ws-a",
      code: compiled.code,
      message: { id: "m", headers: [], body: null },
      ctx: ctx(),
    };
    const waiting = [short.run(step), short.run(step)];
    await short.close();
    for (const result of await Promise.all(waiting)) expect(failed(result).code).toBe("sandbox_crashed");
    await expect(short.run(step)).rejects.toThrow(/closed/);
  });
});

describe("escape and abuse attempts", () => {
  const escapes: [string, string][] = [
    [
      "the constructor chain to Function and process",
      `export default function () { return this.constructor.constructor("return process")().env }`,
    ],
    ["an arrow function's constructor", `export default () => (() => 0).constructor("return process")().pid`],
    [
      "an async function's constructor",
      `export default async () => (await (async () => 0).constructor("return process")()).pid`,
    ],
    [
      "a generator function's constructor",
      `export default () => (function* () {}).constructor("yield process")().next().value.pid`,
    ],
    [
      "an error's prototype chain",
      `export default () => new Error().constructor.constructor("return process")().mainModule`,
    ],
    [
      "require, reached indirectly",
      `export default () => globalThis["req" + "uire"]("child_process").execSync("id").toString()`,
    ],
    [
      "dynamic import() of a name known only at run time",
      `export default async (m) => (await import(m.body.module)).readFileSync("/etc/passwd", "utf8")`,
    ],
    ["reading the environment", `export default () => process.env.DATABASE_URL`],
    ["reading files", `export default () => Deno.readTextFileSync("/etc/passwd")`],
    [
      "eval reaching the host",
      `export default () => eval("typeof process === 'undefined' ? undefined.x : process.pid")`,
    ],
    [
      "new Function reaching the host",
      `export default () => new Function("return typeof require")() === "function" ? 1 : undefined.x`,
    ],
  ];
  it.each(escapes)("%s gets nothing from the host", async (_, source) => {
    const result = await run(source, { limits: fast, body: { module: "node:fs" } });
    expect(failed(result).code).toBe("runtime_error");
    expect(JSON.stringify(result)).not.toMatch(/postgres|root:|uid=|DATABASE/);
    await expectHealthy();
  });

  it("globalThis offers no host objects, timers or modules", async () => {
    const result = await run(
      `export default () => Object.getOwnPropertyNames(globalThis).filter((k) => /process|require|module|^Buffer$|^global$|setTimeout|setInterval|setImmediate|fetch|Deno|Bun|WebAssembly|SharedArrayBuffer|Atomics|FinalizationRegistry/.test(k))`,
    );
    expect(result).toMatchObject({ ok: true, result: { body: [] } });
  });

  it("static imports and require are refused before the step ever runs", async () => {
    for (const source of [
      `import cp from "child_process"; export default () => cp`,
      `export default () => require("fs")`,
    ]) {
      const compiled = await compileCodeStep({ source });
      expect(compiled.ok).toBe(false);
    }
  });

  it("built-ins and the global object are frozen: a run can leave nothing behind for the next", async () => {
    const attempts: [string, string][] = [
      ["pollute Object.prototype", `(Object.prototype as any).polluted = "yes"`],
      ["replace Object.prototype.toString", `Object.prototype.toString = () => "forged"`],
      ["replace Array.prototype.push", `Array.prototype.push = () => 0`],
      ["replace JSON.stringify", `JSON.stringify = () => "{}"`],
      ["replace Math.random", `Math.random = () => 4`],
      ["set a global", `(globalThis as any).stash = "from run 1"`],
      ["define a global", `Object.defineProperty(globalThis, "stash", { value: 1 })`],
      ["replace console.log", `console.log = () => {}`],
      ["remove String.prototype.trim", `delete (String.prototype as any).trim`],
      ["patch the iterator of arrays", `Object.getPrototypeOf([][Symbol.iterator]()).next = () => ({ done: true })`],
      ["patch Iterator.prototype", `Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())).x = 1`],
      ["patch generators", `Object.getPrototypeOf(function* () {}).prototype.next = () => ({ done: true })`],
      ["patch async functions", `(Object.getPrototypeOf(async () => {}) as any).x = 1`],
      ["patch typed arrays", `Object.getPrototypeOf(Int8Array).prototype.fill = () => 0`],
      ["patch Promise.prototype.then", `Promise.prototype.then = function () { return this; } as any`],
      ["set Error.stackTraceLimit", `Error.stackTraceLimit = 0`],
      [
        "patch the accessor of an error's stack",
        `(Object.getOwnPropertyDescriptor(new Error(), "stack")?.get as any).x = 1`,
      ],
      ["declare a global through indirect eval", `(0, eval)("var stash = 1")`],
      [
        "set a global from sloppy code",
        `Function("stash = 1")(); if ((globalThis as any).stash !== 1) throw new Error("silently ignored");`,
      ],
    ];
    const first = await run(`export default () => {
      const changed: string[] = [];
      const attempts: [string, () => unknown][] = [${attempts.map(([name, code]) => `[${JSON.stringify(name)}, () => { ${code}; }]`).join(",")}];
      for (const [name, attempt] of attempts) { try { attempt(); changed.push(name); } catch {} }
      return changed;
    }`);
    expect(first).toMatchObject({ ok: true, result: { body: [] } });

    const next = await run(`export default () => {
      const a: number[] = []; a.push(1);
      return {
        polluted: ({} as any).polluted ?? null, stash: (globalThis as any).stash ?? null, length: a.length,
        json: JSON.stringify({ x: 1 }), text: String({}), spread: [...[1, 2]], trim: " t ".trim(),
      };
    }`);
    expect(next).toMatchObject({
      ok: true,
      result: {
        body: {
          polluted: null,
          stash: null,
          length: 1,
          json: '{"x":1}',
          text: "[object Object]",
          spread: [1, 2],
          trim: "t",
        },
      },
    });
  });

  it("a step that changes a built-in is told they are frozen", async () => {
    const error = failed(await run(`export default () => { (Object.prototype as any).polluted = "yes"; return 1; }`));
    expect(error).toMatchObject({
      code: "runtime_error",
      message: expect.stringMatching(
        /^TypeError: Cannot add property polluted.*\(ctx, the built-ins and the global object are frozen/,
      ),
    });
  });

  it("each run evaluates the step's module anew: its own variables start fresh", async () => {
    const counter = `let count = 0; export default () => ++count;`;
    expect(await run(counter)).toMatchObject({ ok: true, result: { body: 1 } });
    expect(await run(counter)).toMatchObject({ ok: true, result: { body: 1 } });
  });

  it("RegExp's legacy statics cannot show the next run what the last one matched", async () => {
    await run(`export default (m, ctx) => /(s3cr3t)/.exec(ctx.secrets.TOKEN)?.[1]`);
    const next = await run(
      `export default () => [(RegExp as any).$1, (RegExp as any).lastMatch, (RegExp as any).input]`,
    );
    expect(next).toMatchObject({ ok: true, result: { body: [null, null, null] } });
  });

  it("ordinary code that sets inherited properties still works on the frozen built-ins", async () => {
    const result = await run(`
      class NotFound extends Error {
        constructor(message: string) { super(message); this.name = "NotFound"; }
      }
      function Legacy() {}
      Legacy.prototype.toString = function () { return "legacy"; };
      export default () => {
        const record: Record<string, number> = {};
        for (const key of ["constructor", "toString", "valueOf", "hasOwnProperty"]) record[key] = key.length;
        const error = new NotFound("gone");
        return {
          record, assigned: Object.assign({}, { toString: "t" }), legacy: String(new (Legacy as any)()),
          name: error.name, text: String(error),
        };
      };`);
    expect(result).toMatchObject({
      ok: true,
      result: {
        body: {
          record: { constructor: 11, toString: 8, valueOf: 7, hasOwnProperty: 14 },
          assigned: { toString: "t" },
          legacy: "legacy",
          name: "NotFound",
          text: "NotFound: gone",
        },
      },
    });
  });

  it("globals and built-ins do not reach another workspace", async () => {
    await run(
      `export default () => { try { (globalThis as any).stash = "from a"; } catch {} try { (Object.prototype as any).leak = 1; } catch {} return 1; }`,
      { workspaceId: "ws-a" },
    );
    const other = await run(`export default () => ({ stash: globalThis.stash ?? null, leak: ({}).leak ?? null })`, {
      workspaceId: "ws-b",
    });
    expect(other).toMatchObject({ ok: true, result: { body: { stash: null, leak: null } } });
  });

  it("an overridden JSON, WeakSet, Array or Promise cannot forge the result", async () => {
    const result = await run(
      `export default () => { for (const change of [() => { JSON.stringify = () => '{"kind":"ok","body":"forged","headers":[]}'; }, () => { WeakSet.prototype.has = () => true; }, () => { Array.prototype.push = () => 0; }, () => { Promise.prototype.then = function () { return this; }; }]) { try { change(); } catch {} } return { real: [true] }; }`,
    );
    expect(result).toMatchObject({ ok: true, result: { body: { real: [true] } } });
  });

  it("a toJSON planted on Object.prototype cannot forge the envelope of an error", async () => {
    const error = failed(
      await run(
        `export default () => { try { Object.prototype.toJSON = function () { return { kind: "ok", body: "forged", headers: [] }; }; } catch {} throw new Error("real"); }`,
      ),
    );
    expect(error).toMatchObject({ code: "runtime_error", message: "Error: real" });
  });

  it("an infinite synchronous loop hits the CPU limit", async () => {
    expect(failed(await run(`export default () => { while (true) {} }`, { limits: fast })).code).toBe("cpu_limit");
    await expectHealthy();
  });

  it("an infinite loop in the module's top-level code hits the CPU limit", async () => {
    expect(failed(await run(`for (;;) {}\nexport default () => 1`, { limits: fast })).code).toBe("cpu_limit");
    await expectHealthy();
  });

  it("an infinite async loop of awaits hits the CPU limit", async () => {
    const error = failed(await run(`export default async () => { for (;;) await null; }`, { limits: fast }));
    expect(["cpu_limit", "timeout"]).toContain(error.code);
    await expectHealthy();
  });

  it("a microtask flood is stopped", async () => {
    const error = failed(
      await run(`export default () => new Promise(() => { const f = () => Promise.resolve().then(f); f(); })`, {
        limits: fast,
      }),
    );
    expect(["cpu_limit", "timeout", "memory_limit"]).toContain(error.code);
    await expectHealthy();
  });

  it("a promise that never settles fails at once instead of holding the sandbox", async () => {
    const startedAt = performance.now();
    const error = failed(await run(`export default () => new Promise(() => {})`, { limits: fast }));
    expect(error).toMatchObject({ code: "runtime_error", message: expect.stringMatching(/never settled/) });
    expect(performance.now() - startedAt).toBeLessThan(250);
    await expectHealthy();
  });

  it("deep recursion overflows the isolate's stack, not the host's", async () => {
    const error = failed(await run(`const f = (n: number): number => f(n + 1) + 1;\nexport default () => f(0)`));
    expect(error).toMatchObject({ code: "runtime_error", message: "RangeError: Maximum call stack size exceeded" });
    await expectHealthy();
  });

  it("a memory bomb of arrays hits the memory limit", async () => {
    expect(
      failed(await run(`export default () => { const a = []; for (;;) a.push(new Array(1e6).fill(7)); }`)).code,
    ).toBe("memory_limit");
    await expectHealthy();
  });

  it("string doubling hits a limit", async () => {
    const error = failed(await run(`export default () => { let s = "x"; for (;;) s += s; }`));
    expect(["memory_limit", "runtime_error"]).toContain(error.code);
    await expectHealthy();
  });

  it("string doubling that forces real copies hits the memory limit", async () => {
    const error = failed(
      await run(
        `export default () => { let s = "x"; const keep = []; for (;;) { s += s; keep.push(s.split("").join("")); } }`,
      ),
    );
    expect(error.code).toBe("memory_limit");
    await expectHealthy();
  });

  it("a huge output is refused", async () => {
    const error = failed(
      await run(`export default () => "x".repeat(2 * 1024 * 1024)`, { limits: { outputBytes: 1024 * 1024 } }),
    );
    expect(error.code).toBe("output_too_large");
    await expectHealthy();
  });

  it("a huge output in many small pieces is refused before it is built", async () => {
    const error = failed(
      await run(`export default () => Array.from({ length: 200000 }, (_, i) => ({ i }))`, {
        limits: { outputBytes: 64 * 1024 },
      }),
    );
    expect(error.code).toBe("output_too_large");
  });

  it("a deeply nested output is refused", async () => {
    const error = failed(
      await run(
        `export default () => { let o = {}; const root = o; for (let i = 0; i < 10000; i++) { o.next = {}; o = o.next; } return root; }`,
      ),
    );
    expect(error).toMatchObject({ code: "invalid_result", message: expect.stringMatching(/nested more than 100/) });
  });

  it("a cyclic output is refused, while a value shared by two branches is fine", async () => {
    const error = failed(await run(`export default () => { const a = { name: "a" }; a.self = a; return a; }`));
    expect(error).toMatchObject({
      code: "invalid_result",
      message: expect.stringMatching(/result\.self refers back to itself/),
    });
    expect(await run(`export default () => { const x = { n: 1 }; return { a: x, b: [x] }; }`)).toMatchObject({
      ok: true,
      result: { body: { a: { n: 1 }, b: [{ n: 1 }] } },
    });
  });

  it("functions, symbols, bigints, NaN and class instances in the output are refused", async () => {
    expect(failed(await run(`export default () => ({ f: () => 1 })`)).message).toMatch(/result\.f is a function/);
    expect(failed(await run(`export default () => ({ n: 10n })`)).message).toMatch(/bigint/);
    expect(failed(await run(`export default () => ({ s: Symbol("x") })`)).message).toMatch(/symbol/);
    expect(failed(await run(`export default () => [0 / 0]`)).message).toMatch(/result\[0\] is NaN/);
    expect(failed(await run(`export default () => ({ m: new Map() })`)).message).toMatch(/result\.m is not a plain/);
  });

  it("toJSON and Symbol.toPrimitive tricks cannot smuggle anything out", async () => {
    const result = await run(
      `export default () => ({ a: { toJSON() { return { fine: true }; } }, b: { [Symbol.toPrimitive]() { return 1; } } })`,
    );
    expect(result).toMatchObject({ ok: true, result: { body: { a: { fine: true }, b: {} } } });
    const sneaky = failed(await run(`export default () => ({ a: { toJSON() { return () => 1; } } })`));
    expect(sneaky).toMatchObject({ code: "invalid_result", message: expect.stringMatching(/result\.a is a function/) });
  });

  it("a getter that answers differently each time is read once, so what is checked is what comes out", async () => {
    const result = await run(
      `export default () => { let reads = 0; return { get a() { reads++; return reads === 1 ? 1 : () => 1; } }; }`,
    );
    expect(result).toMatchObject({ ok: true, result: { body: { a: 1 } } });
  });

  it("a timer flood finds no timers", async () => {
    const error = failed(await run(`export default () => { for (let i = 0; i < 1e6; i++) setTimeout(() => {}, 0); }`));
    expect(error.message).toMatch(/setTimeout is not defined/);
    await expectHealthy();
  });

  it("a promise flood is bounded", async () => {
    const error = failed(
      await run(`export default async () => { const all = []; for (;;) all.push(new Promise(() => {})); }`, {
        limits: fast,
      }),
    );
    expect(["cpu_limit", "memory_limit"]).toContain(error.code);
    await expectHealthy();
  });

  it("Atomics.wait and SharedArrayBuffer are not available", async () => {
    expect(
      failed(await run(`export default () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)`)).message,
    ).toMatch(/not defined/);
    await expectHealthy();
  });

  it("WebAssembly memory growth is not available", async () => {
    expect(
      failed(await run(`export default () => new WebAssembly.Memory({ initial: 1, maximum: 65536 }).grow(65535)`))
        .message,
    ).toMatch(/WebAssembly is not defined/);
  });

  it("FinalizationRegistry, whose callbacks would run after the step, is not available", async () => {
    expect(failed(await run(`export default () => new FinalizationRegistry(() => {})`)).message).toMatch(
      /FinalizationRegistry is not defined/,
    );
  });

  it("an error object with a throwing getter carries nothing out", async () => {
    const error = failed(
      await run(
        `export default () => { throw { get message() { throw new Error("gotcha"); }, get name() { return process; } }; }`,
      ),
    );
    expect(error.code).toBe("runtime_error");
    expect(error.message).toMatch(/Error/);
  });

  it("a thrown object whose getters never return is stopped by the CPU limit", async () => {
    const error = failed(
      await run(`export default () => { throw { get message() { for (;;) {} } }; }`, { limits: fast }),
    );
    expect(error.code).toBe("cpu_limit");
    await expectHealthy();
  });

  it("throwing a function, a Proxy or a primitive carries nothing out", async () => {
    expect(failed(await run(`export default () => { throw () => 1; }`)).message).toBe("Error: a function was thrown");
    expect(
      failed(await run(`export default () => { throw new Proxy({}, { get() { throw new Error("trap"); } }); }`)).code,
    ).toBe("runtime_error");
    expect(failed(await run(`export default () => { throw 42; }`)).message).toBe("Error: 42");
  });

  it("a Proxy result with traps is read inside the isolate only", async () => {
    const result = await run(`export default () => new Proxy({}, { ownKeys() { throw new Error("trap"); } })`);
    expect(failed(result)).toMatchObject({ code: "invalid_result", message: expect.stringMatching(/trap/) });
    await expectHealthy();
  });

  it("Error.prepareStackTrace cannot be installed, so stacks stay the sandbox's to write", async () => {
    const error = failed(
      await run(
        `export default () => { Error.prepareStackTrace = (e, frames) => { for (;;) {} }; return { stack: new Error().stack }; }`,
        { limits: fast },
      ),
    );
    expect(error).toMatchObject({
      code: "runtime_error",
      message: expect.stringMatching(/^TypeError: Cannot add property prepareStackTrace/),
    });
    expect(JSON.stringify(error)).not.toMatch(/process|require|node:|sandbox/);
    await expectHealthy();
  });

  it("an unhandled rejection fails the step", async () => {
    const error = failed(await run(`export default () => { Promise.reject(new Error("forgotten")); return 1; }`));
    expect(error).toMatchObject({ code: "runtime_error", message: "Unhandled promise rejection: forgotten" });
    await expectHealthy();
  });

  it("an unhandled rejection whose getter never returns (read by isolated-vm outside any timeout) costs only the process", async () => {
    const [before] = sandbox.processIds();
    const error = failed(
      await run(`export default () => { Promise.reject({ get message() { for (;;) {} } }); return 1; }`, {
        limits: fast,
      }),
    );
    expect(error).toMatchObject({
      code: "timeout",
      message: expect.stringMatching(/sandbox was stopped and replaced/),
    });
    await expectHealthy();
    expect(sandbox.processIds()[0]).not.toBe(before);
  });

  it("replacing console does not take its place", async () => {
    const result = await run(
      `export default () => { try { console = null; } catch {} try { globalThis.console = { log() {} }; } catch {} console.log("still here"); return typeof console.log; }`,
    );
    expect(result).toMatchObject({ ok: true, result: { body: "function" }, logs: [{ message: "still here" }] });
  });

  it("the sandbox process has no environment to read and runs under Node's permission model", async () => {
    const [pid] = sandbox.processIds();
    // Only what Node itself sets for the IPC channel.
    const environment = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
    expect(environment.map((entry) => entry.split("=")[0]).sort()).toEqual([
      "NODE_CHANNEL_FD",
      "NODE_CHANNEL_SERIALIZATION_MODE",
    ]);
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    expect(argv).toEqual(expect.arrayContaining(["--no-node-snapshot", "--permission", "--allow-addons"]));
    expect(argv.some((arg) => arg.startsWith("--allow-fs-write") || arg.startsWith("--allow-child-process"))).toBe(
      false,
    );
  });

  it("a crash of the sandbox process fails only the step it ran, and a new process takes over", async () => {
    const [pid] = sandbox.processIds();
    const running = run(`export default () => { while (true) {} }`, { limits: { cpuMs: 10_000, wallMs: 20_000 } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(pid ?? 0, "SIGKILL");
    expect(failed(await running).code).toBe("sandbox_crashed");
    await expectHealthy();
    expect(sandbox.processIds()[0]).not.toBe(pid);
  });

  it("steps that wait together run as one batch; one that takes the process down fails alone, the others succeed", async () => {
    const healthy = await compile("export default (m) => ({ doubled: m.body.n * 2 })");
    const hanging = await compile(
      `export default () => { Promise.reject({ get message() { for (;;) {} } }); return 1; }`,
    );
    const step = (compiled: typeof healthy, n: number) =>
      sandbox.run({
        workspaceId: "ws-a",
        code: compiled.code,
        sourceMap: compiled.sourceMap,
        message: { id: `msg-${n}`, headers: [], body: { n } },
        ctx: ctx(),
        limits: { ...fast, memoryMb: 32 },
      });
    // The first goes at once; the next ones wait for it and then go together.
    const results = await Promise.all([step(healthy, 1), step(healthy, 2), step(hanging, 3), step(healthy, 4)]);
    expect(results[0]).toMatchObject({ ok: true, result: { body: { doubled: 2 } } });
    expect(results[1]).toMatchObject({ ok: true, result: { body: { doubled: 4 } } });
    expect(failed(results[2] as CodeStepResult)).toMatchObject({ code: "timeout" });
    expect(results[3]).toMatchObject({ ok: true, result: { body: { doubled: 8 } } });
    await expectHealthy();
    // The batch's deadline (the time of its three steps), a new process, and the culprit's own deadline.
  }, 30_000);

  it("the host process is alive and well after all of it", async () => {
    await expectHealthy();
    expect(process.memoryUsage().heapUsed).toBeLessThan(512 * 1024 * 1024);
  });
});
