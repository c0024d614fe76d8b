// flows list | get | pull | push | validate | publish
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import type { Api } from "../client.ts";
import type { Context } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import {
  canonical,
  type FlowFile,
  type FlowGraph,
  flowFileName,
  flowFilePaths,
  readFlowFile,
  writeFlowFile,
} from "../flow-files.ts";
import { table, when } from "../output.ts";

type FlowListItem = {
  id: string;
  name: string;
  status: string;
  currentVersion: number | null;
  lastRun: { status: string; at: string } | null;
  runsLastDay: number;
  failedLastDay: number;
};
type FlowDetail = FlowListItem & { description: string; draft: FlowGraph; draftRevision: number };
type Problem = { code: string; message: string; stepId?: string };

/** Problems as lines, each naming its step. */
function describeProblems(problems: Problem[]): string {
  return problems.map((p) => `  - ${p.stepId ? `step ${p.stepId}: ` : ""}${p.message}`).join("\n");
}

/** A refused publish carries the validation problems in its details; show them, exit 1. */
async function publish(api: Api, flowId: string): Promise<{ versionId: string; number: number }> {
  try {
    return await api.post(`/flows/${flowId}/publish`);
  } catch (error) {
    const problems = (error as CliError).details as { validation?: Problem[] } | undefined;
    if (error instanceof CliError && problems?.validation) {
      throw new CliError(`${error.message}\n${describeProblems(problems.validation)}`, EXIT.failed, problems);
    }
    throw error;
  }
}

/** The flow a file is meant for: its id if that flow is in this workspace, else the flow with its name. */
/** Every flow of the workspace: the list comes a page at a time. */
async function allFlows(api: Api): Promise<FlowListItem[]> {
  const flows: FlowListItem[] = [];
  for (let cursor: string | null = null; ; ) {
    const page: { flows: FlowListItem[]; nextCursor: string | null } = await api.get(
      `/flows?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    flows.push(...page.flows);
    cursor = page.nextCursor;
    if (!cursor) return flows;
  }
}

function targetOf(file: FlowFile, flows: FlowListItem[]): FlowListItem | undefined {
  return flows.find((flow) => flow.id === file.id) ?? flows.find((flow) => flow.name === file.name);
}

export function flowCommands(program: Command, context: (command: Command) => Context) {
  const flows = program.command("flows").description("List, read, push and publish flows");

  flows
    .command("list")
    .description("The workspace's flows with their last run and the last 24 hours")
    .action(async (_options: unknown, command: Command) => {
      const { out, api } = context(command);
      const list = await allFlows(await api());
      out.result(list, () => {
        if (!list.length) return out.say("No flows yet. Create one in the app, or push a flow file.");
        out.say(
          table(
            list.map((flow) => ({
              id: flow.id,
              name: flow.name,
              status: flow.status,
              version: flow.currentVersion === null ? "draft" : `v${flow.currentVersion}`,
              "last run": flow.lastRun ? `${flow.lastRun.status} ${when(flow.lastRun.at)}` : "",
              "24h runs": String(flow.runsLastDay),
              "24h failed": String(flow.failedLastDay),
            })),
            ["id", "name", "status", "version", "last run", "24h runs", "24h failed"],
          ),
        );
      });
    });

  flows
    .command("get")
    .description("A flow with its draft's steps")
    .argument("<flowId>")
    .action(async (flowId: string, _options: unknown, command: Command) => {
      const { out, api } = context(command);
      const flow = await (await api()).get<FlowDetail>(`/flows/${flowId}`);
      out.result(flow, () => {
        out.say(`${flow.name}  (${flow.id})`);
        if (flow.description) out.say(flow.description);
        out.say(
          `Status ${flow.status}, ${flow.currentVersion === null ? "never published" : `published version v${flow.currentVersion}`}, draft revision ${flow.draftRevision}.`,
        );
        const steps = flow.draft.steps as { id: string; type: string; name?: string }[];
        out.say("");
        out.say(
          table(
            steps.map((s) => ({ step: s.id, type: s.type, name: s.name ?? "" })),
            ["step", "type", "name"],
          ),
        );
      });
    });

  flows
    .command("pull")
    .description("Write flows to flow files (<name>.flow.json), to keep in git")
    .argument("[flowIds...]", "the flows to pull (or --all)")
    .option("--all", "every flow in the workspace")
    .option("-o, --out <path>", "a folder, or a file name when pulling one flow", ".")
    .action(async (flowIds: string[], options: { all?: boolean; out: string }, command: Command) => {
      const { out, api } = context(command);
      const client = await api();
      const ids = options.all ? (await allFlows(client)).map((f) => f.id) : flowIds;
      if (!ids.length) throw new CliError("Name the flows to pull, or pass --all.", EXIT.usage);
      const toFile = ids.length === 1 && options.out.endsWith(".json");
      if (!toFile) await mkdir(options.out, { recursive: true });
      const written: { id: string; path: string }[] = [];
      for (const id of ids) {
        const exported = await client.get<Omit<FlowFile, "id">>(`/flows/${id}/export`);
        const path = toFile ? options.out : join(options.out, flowFileName(exported.name));
        await writeFlowFile(path, {
          format: "tributary.flow",
          id,
          name: exported.name,
          description: exported.description,
          graph: exported.graph,
        });
        written.push({ id, path });
        out.say(`Pulled ${exported.name} into ${path}`);
      }
      out.result(written, () => undefined);
    });

  flows
    .command("push")
    .description(
      "Save flow files as drafts: a file updates the flow with its id, else the flow with its name, else creates one",
    )
    .argument("<path>", "a flow file, or a folder of *.flow.json files")
    .option("--publish", "publish each flow that changed (or was never published)")
    .addHelpText(
      "after",
      "\nWith --workspace <profile>, pushes into another saved workspace (e.g. production): connections, security rules,\ncalled flows and secrets are resolved there by name.",
    )
    .action(async (path: string, options: { publish?: boolean }, command: Command) => {
      const { out, api } = context(command);
      const client = await api();
      const files = await Promise.all(
        (await flowFilePaths(path)).map(async (p) => ({ path: p, file: await readFlowFile(p) })),
      );
      const existing = await allFlows(client);
      const results: {
        path: string;
        flowId: string;
        outcome: "created" | "updated" | "unchanged";
        version?: number;
      }[] = [];
      let refused = 0;
      for (const { path: filePath, file } of files) {
        const target = targetOf(file, existing);
        let flowId: string;
        let outcome: "created" | "updated" | "unchanged";
        if (!target) {
          flowId = (
            await client.post<{ id: string }>("/flows", {
              name: file.name,
              description: file.description,
              graph: file.graph,
            })
          ).id;
          outcome = "created";
        } else {
          flowId = target.id;
          const current = await client.get<FlowDetail>(`/flows/${flowId}`);
          // Compared as files are written: what the draft refers to by name, not by this workspace's ids.
          const exported = await client.get<Omit<FlowFile, "id">>(`/flows/${flowId}/export`);
          const sameGraph = canonical(exported.graph) === canonical(file.graph);
          const sameText = current.name === file.name && current.description === file.description;
          if (!sameText) await client.put(`/flows/${flowId}`, { name: file.name, description: file.description });
          if (!sameGraph)
            await client.put(`/flows/${flowId}/draft`, { graph: file.graph, baseRevision: current.draftRevision });
          outcome = sameGraph && sameText ? "unchanged" : "updated";
        }
        const result: (typeof results)[number] = { path: filePath, flowId, outcome };
        out.say(
          `${outcome === "unchanged" ? "Unchanged" : outcome === "created" ? "Created" : "Updated"} ${file.name} (${flowId}) from ${filePath}`,
        );
        const neverPublished = target ? target.currentVersion === null : true;
        if (options.publish && (outcome !== "unchanged" || neverPublished)) {
          try {
            result.version = (await publish(client, flowId)).number;
            out.say(`  published v${result.version}`);
          } catch (error) {
            if (!(error instanceof CliError) || error.exitCode !== EXIT.failed) throw error;
            refused += 1;
            process.stderr.write(`  not published: ${error.message}\n`);
          }
        }
        results.push(result);
      }
      out.result(results, () => undefined);
      if (refused)
        throw new CliError(`${refused} flow${refused === 1 ? " was" : "s were"} not published.`, EXIT.failed);
    });

  flows
    .command("validate")
    .description("Check flow files as publishing would, without saving them")
    .argument("<path>", "a flow file, or a folder of *.flow.json files")
    .action(async (path: string, _options: unknown, command: Command) => {
      const { out, api } = context(command);
      const client = await api();
      const reports: { path: string; problems: Problem[] }[] = [];
      for (const filePath of await flowFilePaths(path)) {
        const file = await readFlowFile(filePath);
        const { problems } = await client.post<{ problems: Problem[] }>("/flows/validate", { graph: file.graph });
        reports.push({ path: filePath, problems });
        out.say(
          problems.length
            ? `${filePath}: ${problems.length} problem(s)\n${describeProblems(problems)}`
            : `${filePath}: valid`,
        );
      }
      out.result(reports, () => undefined);
      const bad = reports.filter((report) => report.problems.length).length;
      if (bad) throw new CliError(`${bad} of ${reports.length} flow file(s) have problems.`, EXIT.failed);
    });

  flows
    .command("publish")
    .description("Publish a flow's draft as a new version (refused, with every problem, when it is invalid)")
    .argument("<flowId>")
    .action(async (flowId: string, _options: unknown, command: Command) => {
      const { out, api } = context(command);
      const published = await publish(await api(), flowId);
      out.result(published, () => out.say(`Published version v${published.number}.`));
    });
}
