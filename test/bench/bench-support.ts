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
