// The next fire times of a schedule or polling trigger's config, for the builder to show before publishing.
import { nextFireTimes, scheduleTrigger, type Timing } from "@tributary/connectors";
import { z } from "zod";

export const previewFireTimesInput = z.object({ config: z.record(z.string(), z.unknown()) });

export function previewFireTimes({
  config,
}: z.output<typeof previewFireTimesInput>): { times: string[] } | { problem: string } {
  const timing = scheduleTrigger.config.safeParse({ ...config, body: undefined });
  if (!timing.success) return { problem: timing.error.issues[0]?.message ?? "The timing is not valid." };
  return { times: nextFireTimes(timing.data as Timing, { count: 5 }).map((time) => time.toISOString()) };
}
