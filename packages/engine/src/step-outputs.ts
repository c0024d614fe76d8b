// What `$steps` shows an expression: each earlier step's latest output visible from the current scope (its
// own loop item first, then the enclosing scopes).
import { headerMap } from "./message.ts";
import type { StepRecord } from "./plan-run.ts";

export type StepOutputs = Record<string, { body: unknown; headers: Record<string, string> }>;

export function stepOutputs({ records, scope }: { records: readonly StepRecord[]; scope: string }): StepOutputs {
  const outputs: StepOutputs = {};
  const visible = (key: string) => {
    const keyScope = key.slice(0, key.lastIndexOf("/") + 1);
    return scope.startsWith(keyScope);
  };
  // Outer scopes first, so an item's own outputs win.
  const ordered = records
    .filter((record) => record.message && record.status !== "skipped" && visible(record.key))
    .sort((a, b) => a.key.split("/").length - b.key.split("/").length);
  for (const record of ordered) {
    if (record.message) outputs[record.stepId] = { body: record.message.body, headers: headerMap(record.message) };
  }
  return outputs;
}
