// login, logout, whoami.
import type { Command } from "commander";
import { createApi } from "../client.ts";
import { forgetLogin, saveLogin } from "../config.ts";
import type { Context, KeyIdentity } from "../context.ts";
import { env } from "../env.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { readSecretInput } from "../stdin.ts";

export function authCommands(program: Command, context: (command: Command) => Context) {
  program
    .command("login")
    .description(
      "Log in to a workspace with an API key (from its API keys page); the key is kept in your config dir, mode 600",
    )
    .requiredOption("--url <url>", "Tributary's address, e.g. https://tributary.example.com", env.url)
    .option("--key <key>", "the API key (else TRIBUTARY_API_KEY, else read from stdin)")
    .action(async (options: { url: string; key?: string }, command: Command) => {
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
      const file = await saveLogin(login);
      out.result(identity, () =>
        out.say(
          `Logged in to ${identity.workspace.name} (${identity.workspace.slug}) as key "${identity.name}", role ${identity.role}. Saved in ${file}.`,
        ),
      );
    });

  program
    .command("logout")
    .description("Forget the saved URL and API key")
    .action(async (_options: unknown, command: Command) => {
      await forgetLogin();
      context(command).out.say("Logged out.");
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
