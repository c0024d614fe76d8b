import type { Db } from "@tributary/db";
import type { ValidationError } from "@tributary/engine";
import { z } from "zod";
import { flowGraphInput } from "./flow-graph-input.ts";
import { checkGraph } from "./publish-flow.ts";

export const validateGraphInput = z.object({ graph: flowGraphInput });

/** The problems the builder shows on the canvas, live. */
export async function validateGraph({
  db,
  workspaceId,
  graph,
}: { db: Db; workspaceId: string } & z.output<typeof validateGraphInput>): Promise<ValidationError[]> {
  return (await checkGraph({ db, workspaceId, graph })).errors;
}
