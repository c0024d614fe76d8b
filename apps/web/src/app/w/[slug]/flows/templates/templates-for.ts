import type { TemplateSummary } from "@tributary/core";

/**
 * The templates as a workspace is offered them. A demo's flows reach only the sample API, so there the
 * templates that run as they are come first (in their order), and those that need a system of the user's after.
 */
export function templatesFor(templates: TemplateSummary[], { isDemo }: { isDemo: boolean }): TemplateSummary[] {
  if (!isDemo) return templates;
  return [...templates.filter((t) => t.needs.length === 0), ...templates.filter((t) => t.needs.length > 0)];
}
