// What a code step costs, next to the same function called directly in the same run:
//   node test/bench/code-step.bench.ts [runs]
// Warm: the workspace's isolate and its frozen context are up. Cold: a workspace the sandbox process has not
// seen, so a new isolate is made, its context frozen and the code compiled. The target from the issue is that
// a warm code step adds under 1 ms.
import { availableParallelism } from "node:os";
import { compileCodeStep, createSandbox, type Sandbox } from "../../packages/sandbox/src/index.ts";

const RUNS = Number(process.argv[2] ?? 2000);

const steps = {
  tiny: {
    source: "export default (message: { body: { n: number } }) => ({ n: message.body.n + 1 });",
    direct: (message: { body: { n: number } }) => ({ n: message.body.n + 1 }),
    body: { n: 1 },
  },
  "100 items, 3 log lines": {
    source: `type Item = { id: number; price: number; qty: number };
export default async (message: { body: { items: Item[] } }) => {
  console.log("items", message.body.items.length);
  const lines = message.body.items.map((item) => ({ id: item.id, total: item.price * item.qty }));
  console.log("total", lines.reduce((sum, line) => sum + line.total, 0));
  console.log("done");
  return { lines };
};`,
    direct: async (message: { body: { items: { id: number; price: number; qty: number }[] } }) => {
      const log: string[] = [];
      log.push(`items ${message.body.items.length}`);
      const lines = message.body.items.map((item) => ({ id: item.id, total: item.price * item.qty }));
      log.push(`total ${lines.reduce((sum, line) => sum + line.total, 0)}`);
      log.push("done");
      return { lines };
    },
    body: { items: Array.from({ length: 100 }, (_, id) => ({ id, price: id * 1.5, qty: 2 })) },
  },
};

type Step = (typeof steps)[keyof typeof steps];

const ctx = (workspaceId: string) => ({
  run: { id: "run", flowId: "flow", workspaceId, stepId: "code", attempt: 1, isTest: false },
  secrets: {},
});

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { mean: samples.reduce((a, b) => a + b, 0) / samples.length, p50: at(0.5), p99: at(0.99) };
}

const ms = (value: number) => `${value.toFixed(3)} ms`;

async function baseline(step: Step): Promise<number> {
  // Direct call of the same function; the message is copied as JSON both ways, as any step boundary must.
  const once = async () =>
    JSON.parse(JSON.stringify(await step.direct(JSON.parse(JSON.stringify({ body: step.body })))));
  for (let i = 0; i < 1000; i++) await once();
  const started = performance.now();
  for (let i = 0; i < RUNS * 10; i++) await once();
  return (performance.now() - started) / (RUNS * 10);
}

async function measure(sandbox: Sandbox, step: Step, workspaceOf: (i: number) => string, runs: number) {
  const compiled = await compileCodeStep({ source: step.source });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const workspaceId = workspaceOf(i);
    const started = performance.now();
    const result = await sandbox.run({
      workspaceId,
      code: compiled.code,
      sourceMap: compiled.sourceMap,
      message: { id: `m${i}`, headers: [], body: step.body },
      ctx: ctx(workspaceId),
    });
    samples.push(performance.now() - started);
    if (!result.ok) throw new Error(JSON.stringify(result.error));
  }
  return stats(samples);
}

const startedAt = performance.now();
const sandbox = createSandbox({ processes: 1 });
const first = await measure(sandbox, steps.tiny, () => "ws-start", 1);
console.log(
  `sandbox process start and first step: ${ms(performance.now() - startedAt)} (first step ${ms(first.mean)})`,
);
console.log(
  `${RUNS} sequential runs per figure, one sandbox process, Node ${process.version}, ${availableParallelism()} CPUs\n`,
);

for (const [name, step] of Object.entries(steps)) {
  const direct = await baseline(step);
  await measure(sandbox, step, () => "ws-warm", 200);
  const warm = await measure(sandbox, step, () => "ws-warm", RUNS);
  let cold = 0;
  const coldRuns = Math.min(RUNS, 300);
  const coldStats = await measure(sandbox, step, () => `ws-cold-${name}-${cold++}`, coldRuns);
  console.log(`${name}`);
  console.log(`  direct call             ${ms(direct)}`);
  console.log(
    `  warm code step          mean ${ms(warm.mean)}  p50 ${ms(warm.p50)}  p99 ${ms(warm.p99)}  ` +
      `adds ${ms(warm.mean - direct)}  (${(warm.mean / direct).toFixed(0)}x direct)`,
  );
  console.log(
    `  cold code step (${coldRuns})    mean ${ms(coldStats.mean)}  p50 ${ms(coldStats.p50)}  p99 ${ms(coldStats.p99)}  ` +
      `adds ${ms(coldStats.mean - direct)}  (${(coldStats.mean / direct).toFixed(0)}x direct)`,
  );
  console.log(`  target: warm adds < 1 ms: ${warm.mean - direct < 1 ? "met" : "NOT met"}\n`);
}
await sandbox.close();

const processes = availableParallelism();
const pool = createSandbox({ processes });
await Promise.all(Array.from({ length: processes * 2 }, (_, i) => measure(pool, steps.tiny, () => `ws-${i}`, 20)));
const compiled = await compileCodeStep({ source: steps.tiny.source });
if (!compiled.ok) throw new Error("did not compile");
const throughputStarted = performance.now();
await Promise.all(
  Array.from({ length: RUNS }, (_, i) => {
    const workspaceId = `ws-${i % (processes * 2)}`;
    return pool.run({
      workspaceId,
      code: compiled.code,
      message: { id: `m${i}`, headers: [], body: steps.tiny.body },
      ctx: ctx(workspaceId),
    });
  }),
);
const seconds = (performance.now() - throughputStarted) / 1000;
console.log(
  `throughput, ${processes} processes, ${processes * 2} workspaces: ${(RUNS / seconds).toFixed(0)} tiny steps/s`,
);
await pool.close();
