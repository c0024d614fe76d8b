// Error stacks from a code step, cut to the step's own frames and pointed back at its TypeScript lines.
// Frames of the sandbox runtime, of code the step eval'd, and of the host are dropped.
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";
import { CODE_STEP_FILENAME, CODE_STEP_SCRIPT_FILENAME } from "./protocol.ts";

const FRAME = new RegExp(`^\\s*at (?:(.+) \\()?${CODE_STEP_SCRIPT_FILENAME.replace(".", "\\.")}:(\\d+):(\\d+)\\)?$`);

export function mapStack({
  stack,
  sourceMap,
}: {
  stack: string | undefined;
  sourceMap: string | undefined;
}): string | undefined {
  if (!stack) return undefined;
  let trace: TraceMap | undefined;
  try {
    trace = sourceMap ? new TraceMap(sourceMap) : undefined;
  } catch {
    trace = undefined;
  }
  const frames: string[] = [];
  for (const line of stack.split("\n")) {
    const match = FRAME.exec(line);
    if (!match) continue;
    const [, name, row, column] = match;
    const at = name ? `at ${name} ` : "at ";
    const position = trace ? originalPositionFor(trace, { line: Number(row), column: Number(column) - 1 }) : undefined;
    frames.push(
      position?.line != null
        ? `${at}(${CODE_STEP_FILENAME}:${position.line}:${(position.column ?? 0) + 1})`
        : `${at}(${CODE_STEP_SCRIPT_FILENAME}:${row}:${column})`,
    );
  }
  return frames.length ? frames.join("\n") : undefined;
}
