// A flow as a file: the documented flow format (docs/flow-format.md) with its name. Connections, security rules,
// called flows and secrets are named, never given by id or value, so a file imports into any workspace.
import type { FlowDetail } from "@tributary/core";

type FlowGraph = FlowDetail["draft"];

export type FlowFile = { format: "tributary.flow"; name: string; description: string; graph: FlowGraph };

export function toFlowFile({ name, description, graph }: Omit<FlowFile, "format">): string {
  return JSON.stringify({ format: "tributary.flow", name, description, graph } satisfies FlowFile, null, 2);
}

/** Reads an exported flow, or a bare graph; throws a message for the user when it is neither. */
export function fromFlowFile(text: string, fallbackName: string): Omit<FlowFile, "format"> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error("That file is not JSON. Export a flow from Tributary and import that file.");
  }
  const value = parsed as Partial<FlowFile> & { steps?: unknown };
  if (value.format === "tributary.flow" && value.graph) {
    return { name: value.name || fallbackName, description: value.description ?? "", graph: value.graph };
  }
  if (Array.isArray(value.steps)) return { name: fallbackName, description: "", graph: parsed as FlowGraph };
  throw new Error("That file holds no flow: it has neither a Tributary flow export nor a graph with steps.");
}

export function download(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  link.click();
  URL.revokeObjectURL(url);
}
