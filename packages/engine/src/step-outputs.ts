// What `$steps` shows an expression: each earlier step's latest output visible from the current scope (its
// own loop item first, then the enclosing scopes).
import { headerMap } from "./message.ts";
import { type RunRecords, scopeChain } from "./run-records.ts";

export type StepOutputs = Record<string, { body: unknown; headers: Record<string, string> }>;

export function stepOutputs({ records, scope }: { records: RunRecords; scope: string }): StepOutputs {
  const outputs: StepOutputs = {};
  // Outer scopes first, so an item's own outputs win.
  for (const visible of ["", ...scopeChain(scope)]) {
    for (const record of records.inScope(visible)) {
      if (record.message && record.status !== "skipped") {
        outputs[record.stepId] = { body: record.message.body, headers: headerMap(record.message) };
      }
    }
  }
  return outputs;
}
