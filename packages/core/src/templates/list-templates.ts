import { z } from "zod";
import { FLOW_TEMPLATES, type FlowTemplate } from "./flow-templates.ts";

export const listTemplatesInput = z.object({ search: z.string().trim().max(200).default("") });

export type TemplateSummary = Omit<FlowTemplate, "graph" | "sample"> & { stepTypes: string[] };

/**
 * The gallery, filtered by every word of `search` (in the title, description, tags or step types), best
 * matches first: a word in the title or tags counts more than one in the description.
 */
export function listTemplates({ search }: z.output<typeof listTemplatesInput>): TemplateSummary[] {
  const words = search
    .toLowerCase()
    .split(/[\s,→>-]+/)
    .filter(Boolean);
  return FLOW_TEMPLATES.map((template) => {
    const stepTypes = [...new Set(template.graph.steps.map((step) => step.type))];
    const strong = [template.title, ...template.tags, ...stepTypes].join(" ").toLowerCase();
    const weak = template.description.toLowerCase();
    let score = 0;
    for (const word of words) {
      if (strong.includes(word)) score += 2;
      else if (weak.includes(word)) score += 1;
      else return null;
    }
    const { graph: _graph, sample: _sample, ...summary } = template;
    return { summary: { ...summary, stepTypes }, score };
  })
    .filter((match) => match !== null)
    .sort((a, b) => b.score - a.score)
    .map((match) => match.summary);
}
