import { z } from "zod";
import { stepTypes } from "../flows/step-types.ts";
import { FLOW_TEMPLATES, type FlowTemplate } from "./flow-templates.ts";

export const listTemplatesInput = z.object({ search: z.string().trim().max(200).default("") });

/** A template as the gallery shows it: its kinds of step in flow order, each by type and by the palette's title. */
export type TemplateSummary = Omit<FlowTemplate, "graph" | "sample"> & { steps: { type: string; title: string }[] };

/**
 * The gallery, filtered by every word of `search` (in the title, description, tags or steps), best
 * matches first: a word in the title or tags counts more than one in the description.
 */
export function listTemplates({ search }: z.output<typeof listTemplatesInput>): TemplateSummary[] {
  const words = search
    .toLowerCase()
    .split(/[\s,→>-]+/)
    .filter(Boolean);
  const titles = new Map(stepTypes().map((entry) => [entry.type, entry.title]));
  return FLOW_TEMPLATES.map((template) => {
    const steps = [...new Set(template.graph.steps.map((step) => step.type))].map((type) => ({
      type,
      title: titles.get(type) ?? type,
    }));
    const strong = [template.title, ...template.tags, ...steps.flatMap((step) => [step.type, step.title])]
      .join(" ")
      .toLowerCase();
    const weak = template.description.toLowerCase();
    let score = 0;
    for (const word of words) {
      if (strong.includes(word)) score += 2;
      else if (weak.includes(word)) score += 1;
      else return null;
    }
    const { graph: _graph, sample: _sample, ...summary } = template;
    return { summary: { ...summary, steps }, score };
  })
    .filter((match) => match !== null)
    .sort((a, b) => b.score - a.score)
    .map((match) => match.summary);
}
