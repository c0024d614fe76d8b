// workspace export | import: a workspace's configuration as a bundle file, to promote into another workspace
// (docs/cli.md, "Promoting from test to production").
import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import type { Context } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { table } from "../output.ts";

type PlanItem = { kind: string; name: string; action: "create" | "change" | "leave"; notes: string[] };
type ImportResult = {
  dryRun: boolean;
  items: PlanItem[];
  notPublished: { name: string; problems: { message: string; stepId?: string }[] }[];
};

const KIND: Record<string, string> = {
  connection: "connection",
  securityRule: "security rule",
  flow: "flow",
  alertRule: "alert rule",
  settings: "settings",
};

function describePlan(items: PlanItem[], dryRun: boolean): string {
  const verbs = dryRun
    ? { create: "would create", change: "would change", leave: "would leave" }
    : { create: "created", change: "changed", leave: "left" };
  const rows = items.map((item) => ({
    action: verbs[item.action],
    kind: KIND[item.kind] ?? item.kind,
    name: item.name,
  }));
  const notes = items.flatMap((item) => item.notes.map((note) => `  - ${KIND[item.kind]} ${item.name}: ${note}`));
  const counts = (["create", "change", "leave"] as const)
    .map((action) => `${items.filter((item) => item.action === action).length} ${verbs[action]}`)
    .join(", ");
  return [table(rows, ["action", "kind", "name"]), "", counts, ...(notes.length ? ["To do by hand:", ...notes] : [])]
    .filter((line, index) => line || index)
    .join("\n");
}

export function workspaceCommands(program: Command, context: (command: Command) => Context) {
  const workspace = program
    .command("workspace")
    .description(
      "Export a workspace's configuration as a bundle, or import one (flows, connections, security and alert rules, settings)",
    );

  workspace
    .command("export")
    .description(
      "Write the workspace's bundle: flows, connections, security and alert rules without secret values, settings",
    )
    .option("-o, --out <file>", "the file to write (default: standard output)")
    .action(async (options: { out?: string }, command: Command) => {
      const { out, api } = context(command);
      const bundle = await (await api()).get<{
        flows: unknown[];
        connections: unknown[];
        securityRules: unknown[];
        alertRules: unknown[];
      }>("/workspace/bundle");
      const text = `${JSON.stringify(bundle, null, 2)}\n`;
      if (!options.out || options.out === "-") {
        process.stdout.write(text);
        return;
      }
      await writeFile(options.out, text);
      out.result({ path: options.out }, () =>
        out.say(
          `Wrote ${bundle.flows.length} flow(s), ${bundle.connections.length} connection(s), ${bundle.securityRules.length} security rule(s) and ${bundle.alertRules.length} alert rule(s) to ${options.out}. It holds no secret values.`,
        ),
      );
    });

  workspace
    .command("import")
    .description(
      "Import a bundle, matching by name: creates, changes or leaves each thing; publishes what was published",
    )
    .argument("<file>", "a bundle written by `tributary workspace export`")
    .option("--dry-run", "only list what would be created, changed or left")
    .action(async (file: string, options: { dryRun?: boolean }, command: Command) => {
      const { out, api } = context(command);
      let bundle: unknown;
      try {
        bundle = JSON.parse(await readFile(file, "utf8"));
      } catch (error) {
        throw new CliError(`Cannot read the bundle ${file}: ${(error as Error).message}`, EXIT.usage);
      }
      const result = await (await api()).post<ImportResult>(
        `/workspace/bundle${options.dryRun ? "?dryRun=true" : ""}`,
        bundle,
      );
      out.result(result, () => {
        out.say(describePlan(result.items, result.dryRun));
        for (const flow of result.notPublished) {
          out.say(`Flow ${flow.name} was not published:`);
          for (const problem of flow.problems) out.say(`  - ${problem.message}`);
        }
      });
      if (result.notPublished.length) {
        throw new CliError(`${result.notPublished.length} flow(s) were imported but not published.`, EXIT.failed);
      }
    });
}
