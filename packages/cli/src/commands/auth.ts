// login, logout, whoami, and the saved profiles (one per workspace logged in to).
import type { Command } from "commander";
import { createApi } from "../client.ts";
import { forgetLogin, loadConfig, saveProfile, useProfile } from "../config.ts";
import type { Context, KeyIdentity } from "../context.ts";
import { env } from "../env.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { table } from "../output.ts";
import { readSecretInput } from "../stdin.ts";

export function authCommands(program: Command, context: (command: Command) => Context) {
  program
    .command("login")
    .description(
      "Log in to a workspace with an API key (from its API keys page); the key is kept in your config dir, mode 600",
    )
    .requiredOption("--url <url>", "Tributary's address, e.g. https://tributary.example.com", env.url)
    .option("--key <key>", "the API key (else TRIBUTARY_API_KEY, else read from stdin)")
    .option("--profile <name>", "the name to save this login under (default: the workspace's slug)")
    .action(async (options: { url: string; key?: string; profile?: string }, command: Command) => {
      const { out } = context(command);
      let url: URL;
      try {
        url = new URL(options.url);
      } catch {
        throw new CliError(`${options.url} is not a URL; give the address you open Tributary at.`, EXIT.usage);
      }
      const key = options.key || env.apiKey || (await readSecretInput("API key (input hidden): ")).trim();
      if (!key) throw new CliError("No API key given.", EXIT.usage);
      const login = { url: url.origin + url.pathname.replace(/\/+$/, ""), key };
      const identity = await createApi(login).get<KeyIdentity>("/key");
      const profile = options.profile ?? identity.workspace.slug;
      const file = await saveProfile(profile, {
        ...login,
        workspace: { slug: identity.workspace.slug, name: identity.workspace.name },
      });
      out.result({ ...identity, profile }, () =>
        out.say(
          `Logged in to ${identity.workspace.name} (${identity.workspace.slug}) as key "${identity.name}", role ${identity.role}. Saved as profile "${profile}" in ${file}; it is the current one.`,
        ),
      );
    });

  program
    .command("logout")
    .description("Forget a saved login (by default the current one, or the --workspace one)")
    .action(async (_options: unknown, command: Command) => {
      const forgotten = await forgetLogin((command.optsWithGlobals() as { workspace?: string }).workspace);
      context(command).out.say(forgotten ? `Logged out of "${forgotten}".` : "Not logged in.");
    });

  const profiles = program.command("profiles").description("The saved logins, one per workspace");
  profiles
    .command("list")
    .description("The saved logins; * marks the current one")
    .action(async (_options: unknown, command: Command) => {
      const { out } = context(command);
      const config = await loadConfig();
      const rows = Object.entries(config.profiles).map(([name, profile]) => ({
        current: name === config.current,
        profile: name,
        workspace: profile.workspace?.slug ?? "",
        url: profile.url,
      }));
      out.result(rows, () =>
        out.say(
          rows.length
            ? table(
                rows.map((row) => ({ ...row, current: row.current ? "*" : "" })),
                ["current", "profile", "workspace", "url"],
              )
            : "No saved logins. Run `tributary login --url <URL>`.",
        ),
      );
    });
  profiles
    .command("use")
    .description("Make a saved login the current one")
    .argument("<profile>", "a profile name or workspace slug")
    .action(async (name: string, _options: unknown, command: Command) => {
      const { out } = context(command);
      const profile = await useProfile(name);
      out.result({ profile }, () => out.say(`Now using "${profile}".`));
    });

  program
    .command("whoami")
    .description("Show the workspace and role of the saved API key")
    .action(async (_options: unknown, command: Command) => {
      const { out, api } = context(command);
      const identity = await (await api()).get<KeyIdentity>("/key");
      out.result(identity, () =>
        out.say(
          `Key "${identity.name}" (${identity.role}) in ${identity.workspace.name} (${identity.workspace.slug}).`,
        ),
      );
    });
}
