// secrets list | set | delete. Values go in and never come out.
import type { Command } from "commander";
import type { Context } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { table, when } from "../output.ts";
import { readSecretInput } from "../stdin.ts";

export function secretCommands(program: Command, context: (command: Command) => Context) {
  const secrets = program.command("secrets").description("The workspace's secrets (values are write-only)");

  secrets
    .command("list")
    .description("The names of the secrets, never their values")
    .action(async (_options: unknown, command: Command) => {
      const { out, api } = context(command);
      const { secrets: list } = await (await api()).get<{ secrets: { name: string; updatedAt: string }[] }>("/secrets");
      out.result(list, () =>
        out.say(
          list.length
            ? table(
                list.map((s) => ({ name: s.name, updated: when(s.updatedAt) })),
                ["name", "updated"],
              )
            : "No secrets yet.",
        ),
      );
    });

  secrets
    .command("set")
    .description(
      "Create or replace a secret; the value is read from stdin (or a hidden prompt) unless --value is given",
    )
    .argument("<name>", "capital letters, digits and _, e.g. API_TOKEN")
    .option("--value <value>", "the value (it stays in your shell history: prefer stdin)")
    .action(async (name: string, options: { value?: string }, command: Command) => {
      const { out, api } = context(command);
      const value = options.value ?? (await readSecretInput(`Value of ${name} (input hidden): `));
      if (!value) throw new CliError("A secret needs a value.", EXIT.usage);
      await (await api()).put(`/secrets/${encodeURIComponent(name)}`, { value });
      out.result({ name }, () => out.say(`Secret ${name} saved.`));
    });

  secrets
    .command("delete")
    .description("Delete a secret")
    .argument("<name>")
    .action(async (name: string, _options: unknown, command: Command) => {
      const { out, api } = context(command);
      await (await api()).delete(`/secrets/${encodeURIComponent(name)}`);
      out.result({ name }, () => out.say(`Secret ${name} deleted.`));
    });
}
