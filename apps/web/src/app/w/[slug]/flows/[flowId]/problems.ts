// Validation problems of the draft, as the engine reports them, grouped for the canvas and the panel.
import type { CodeDiagnostic } from "~/components/config/code-editor.tsx";

export type Problem = {
  code: string;
  stepId?: string | undefined;
  field?: string | undefined;
  message: string;
  /** In a code field: where the editor underlines it. */
  location?: { line: number; column: number; endLine: number; endColumn: number } | undefined;
};

/** The located problems of each code field, for the code editor. */
export function codeDiagnostics(problems: Problem[]): Record<string, CodeDiagnostic[]> {
  const byField: Record<string, CodeDiagnostic[]> = {};
  for (const { field, location, message } of problems) {
    if (!field || !location) continue;
    byField[field] = [...(byField[field] ?? []), { ...location, message }];
  }
  return byField;
}

export function problemsByStep(problems: Problem[]): Map<string, string[]> {
  const byStep = new Map<string, string[]>();
  for (const problem of problems) {
    if (!problem.stepId) continue;
    byStep.set(problem.stepId, [...(byStep.get(problem.stepId) ?? []), problem.message]);
  }
  return byStep;
}
