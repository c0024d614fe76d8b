// Sample messages pinned in the builder: a trigger's sample message or a step's output, by step id. They are
// kept with the draft (a column of their own beside it) so a reload or a colleague sees them; publishing and
// runs never read them: they only feed step tests and expression previews.
import { STEP_DEFINITIONS } from "@tributary/connectors";
import { type Db, scoped } from "@tributary/db";
import { type FlowGraph, stepIdSchema } from "@tributary/engine";
import { z } from "zod";
import { AppError, notFound } from "../errors/app-error.ts";

const headerSchema = z.object({ name: z.string().min(1).max(200), value: z.string().max(8192) });

export const pinnedMessageSchema = z.object({
  body: z.unknown(),
  headers: z.array(headerSchema).max(100).default([]),
});

export const flowPinsSchema = z.record(stepIdSchema, pinnedMessageSchema);

export type PinnedMessage = z.output<typeof pinnedMessageSchema>;
export type FlowPins = z.output<typeof flowPinsSchema>;

/** All pins of a flow together stay under this size: they are samples, not data sets. */
export const MAX_PINS_BYTES = 1_000_000;

export const savePinsInput = z.object({ flowId: z.uuid(), pins: flowPinsSchema });

/** A new flow's pins: its sample message on its trigger, so step tests and the curl line start from it. */
export function sampleOnTrigger(graph: FlowGraph, body: unknown): FlowPins {
  const trigger = graph.steps.find((step) => STEP_DEFINITIONS.get(step.type)?.kind === "trigger");
  if (!trigger) throw new Error("A flow without a trigger has no step to pin its sample message on.");
  return { [trigger.id]: { body, headers: [] } };
}

/** Reads a stored pins value, dropping what no longer parses rather than failing the builder. */
export function parsePins(value: unknown): FlowPins {
  const parsed = flowPinsSchema.safeParse(value);
  return parsed.success ? parsed.data : {};
}

export async function saveFlowPins({
  db,
  workspaceId,
  flowId,
  pins,
}: { db: Db; workspaceId: string } & z.output<typeof savePinsInput>): Promise<{ pins: FlowPins }> {
  const bytes = Buffer.byteLength(JSON.stringify(pins));
  if (bytes > MAX_PINS_BYTES) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `The pinned messages take ${bytes} bytes together; at most ${MAX_PINS_BYTES} are kept. Unpin a large one or pin a smaller sample.`,
    );
  }
  // In SQL with the pins as JSON text: the ORM would round some 17-digit numbers of a sample on the way in.
  const saved = await scoped(
    db,
    { workspaceId },
    (tx) => tx.$executeRaw`
      UPDATE flows SET pins = ${JSON.stringify(pins)}::jsonb, updated_at = now() WHERE id = ${flowId}::uuid AND workspace_id = ${workspaceId}::uuid`,
  );
  if (saved !== 1) throw notFound("That flow");
  return { pins };
}
