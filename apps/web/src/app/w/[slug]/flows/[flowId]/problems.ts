// Validation problems of the draft, as the engine reports them, grouped for the canvas and the panel.
export type Problem = { code: string; stepId?: string | undefined; field?: string | undefined; message: string };

export function problemsByStep(problems: Problem[]): Map<string, string[]> {
  const byStep = new Map<string, string[]>();
  for (const problem of problems) {
    if (!problem.stepId) continue;
    byStep.set(problem.stepId, [...(byStep.get(problem.stepId) ?? []), problem.message]);
  }
  return byStep;
}
