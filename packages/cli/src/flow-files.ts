// Flow files on disk (docs/flow-format.md, "Flow files"): a flow export with the id of the flow it came
// from, so `push` updates that flow. A folder of them, kept in git, is a workspace's flows as code.
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CliError, EXIT } from "./exit-codes.ts";

export type FlowGraph = { version: number; steps: unknown[]; edges: unknown[]; [key: string]: unknown };
export type FlowFile = { format: "tributary.flow"; id?: string; name: string; description: string; graph: FlowGraph };

export const FLOW_FILE_SUFFIX = ".flow.json";

/** The flow files at a path: the file itself, or every *.flow.json in the folder, by name. */
export async function flowFilePaths(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => {
    throw new CliError(`There is no file or folder ${path}.`, EXIT.usage);
  });
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter((name) => name.endsWith(FLOW_FILE_SUFFIX)).sort();
  if (!names.length) throw new CliError(`${path} holds no *${FLOW_FILE_SUFFIX} files.`, EXIT.usage);
  return names.map((name) => join(path, name));
}

export async function readFlowFile(path: string): Promise<FlowFile> {
  let parsed: Partial<FlowFile> & { steps?: unknown };
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new CliError(`${path} is not a JSON file: ${(error as Error).message}`, EXIT.usage);
  }
  if (parsed.format === "tributary.flow" && parsed.graph && typeof parsed.name === "string") {
    return {
      format: "tributary.flow",
      ...(parsed.id ? { id: parsed.id } : {}),
      name: parsed.name,
      description: parsed.description ?? "",
      graph: parsed.graph,
    };
  }
  throw new CliError(
    `${path} is not a flow file: it needs "format": "tributary.flow", a "name" and a "graph" (see docs/flow-format.md).`,
    EXIT.usage,
  );
}

export async function writeFlowFile(path: string, file: FlowFile): Promise<void> {
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`);
}

/** A file name for a flow: its name in lower-case words joined by dashes. */
export function flowFileName(name: string): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${slug || "flow"}${FLOW_FILE_SUFFIX}`;
}

/** JSON with sorted keys, to tell whether two graphs are the same whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : 1)))
      : inner,
  );
}
