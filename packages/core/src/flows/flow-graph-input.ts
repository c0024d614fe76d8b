import { FlowFormatError, parseFlowGraph } from "@tributary/engine";
import { z } from "zod";

/** A flow graph from a client: any known version of the format, upgraded; malformed input is a clear error. */
export const flowGraphInput = z.unknown().transform((value, ctx) => {
  try {
    return parseFlowGraph(value);
  } catch (error) {
    if (!(error instanceof FlowFormatError)) throw error;
    ctx.addIssue({ code: "custom", message: error.message });
    return z.NEVER;
  }
});
