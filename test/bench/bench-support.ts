// What the benchmarks share with the app, imported the same way the app does, and how they read memory.
import { readdirSync, readFileSync } from "node:fs";
import { createDb, createJobQueue, createQueueConnection } from "@tributary/core";
import { createMessage, evaluateExpression } from "@tributary/engine";

export { createDb, createJobQueue, createQueueConnection };

/** Evaluates a JSONata expression over a body, as a step would. */
export function evaluateExpressionFor(source: string, body: unknown): Promise<unknown> {
  return evaluateExpression({ source, scope: { message: createMessage({ id: "m", body }) } });
}

/** Resident memory of a process and its descendants (sandbox processes, Next's workers), in MB. */
export function processTreeRssMb(pid: number): number {
  let kb = 0;
  try {
    kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      for (const child of children ? children.split(" ") : []) kb += processTreeRssMb(Number(child)) * 1024;
    }
  } catch {
    // The process ended between listing and reading.
  }
  return kb / 1024;
}

/**
 * The whole machine's CPU time in ms since boot, busy (every process: the app, Postgres, Redis, the benchmark
 * itself) and stolen by the host. Read before and after a phase, it gives what the phase cost in CPU, a figure
 * that holds still where rates swing with how busy the machine's neighbours are.
 */
export function machineCpuMs(): { busy: number; steal: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  const msPerTick = 1000 / 100; // /proc/stat counts in USER_HZ, 100 a second on Linux
  return { busy: (user + nice + system + irq + softirq) * msPerTick, steal: steal * msPerTick };
}
