// What an expression or a `{{ }}` template in a step's config gives for a sample message, for the builder to
// show as the user types. Secrets are not read here: a preview never shows one.
import { createMessage, evaluateExpression, renderTemplate } from "@tributary/engine";
import { z } from "zod";

export const previewExpressionInput = z.object({
  kind: z.enum(["expression", "template"]),
  source: z.string().max(20_000),
  sample: z.unknown(),
  /** Earlier steps' output bodies by step id (pinned or from a test), for `$steps.<id>.body`. */
  steps: z.record(z.string().max(64), z.unknown()).default({}),
});

export async function previewExpression({
  kind,
  source,
  sample,
  steps,
}: z.output<typeof previewExpressionInput>): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  const scope = {
    message: createMessage({ id: "preview", body: sample ?? null, headers: [] }),
    steps: Object.fromEntries(
      Object.entries(steps)
        .filter(([, body]) => body !== undefined)
        .map(([id, body]) => [id, { body, headers: {} }]),
    ),
  };
  try {
    const value =
      kind === "expression"
        ? await evaluateExpression({ source, scope })
        : await renderTemplate({ value: source, scope });
    return { ok: true, value: value ?? null };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
