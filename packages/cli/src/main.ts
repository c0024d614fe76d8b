// tributary: the command line for a Tributary workspace, over its REST API (/api/v1).
import { Command, CommanderError } from "commander";
import { authCommands } from "./commands/auth.ts";
import { flowCommands } from "./commands/flows.ts";
import { runCommands } from "./commands/runs.ts";
import { secretCommands } from "./commands/secrets.ts";
import { workspaceCommands } from "./commands/workspace.ts";
import { type Context, createContext } from "./context.ts";
import { CliError, EXIT } from "./exit-codes.ts";

const EXIT_CODES_HELP = `
Exit codes:
  0  done (a followed run succeeded)
  1  failed: a run failed or was cancelled, a flow has problems, a publish was refused
  2  the command line was wrong
  3  not logged in, or the API key was refused
  4  the key's role may not do this
  5  not found
  6  refused by the server: invalid input, a conflict, the rate limit
  7  the server could not be reached or failed

Environment: TRIBUTARY_URL and TRIBUTARY_API_KEY override the current saved login (not one named with
--workspace); TRIBUTARY_CONFIG_DIR moves the saved logins.`;

// A reader that stops early (`tributary runs tail --json | head`) closes the pipe; that is the reader's choice,
// not an error, so the CLI stops quietly as Unix tools do instead of printing a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(EXIT.ok);
  throw error;
});

const program = new Command("tributary")
  .description("Work with a Tributary workspace from scripts and the shell: flows as code, runs, secrets.")
  .option("--json", "print JSON for scripts instead of text for people")
  .option(
    "-w, --workspace <profile>",
    "act in this saved workspace (profile or workspace slug) instead of the current one",
  )
  .addHelpText("after", EXIT_CODES_HELP)
  .showHelpAfterError("(add --help for usage)")
  .exitOverride();

const context = (command: Command): Context => {
  const options = command.optsWithGlobals() as { json?: boolean; workspace?: string };
  return createContext({ json: Boolean(options.json), ...(options.workspace ? { workspace: options.workspace } : {}) });
};

authCommands(program, context);
flowCommands(program, context);
runCommands(program, context);
secretCommands(program, context);
workspaceCommands(program, context);

for (const command of program.commands) command.exitOverride();

function fail(error: CliError): never {
  if (process.argv.includes("--json")) {
    process.stderr.write(
      `${JSON.stringify({ error: { message: error.message, exitCode: error.exitCode, details: error.details } })}\n`,
    );
  } else {
    process.stderr.write(`error: ${error.message}\n`);
  }
  process.exit(error.exitCode);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
  }
  if (error instanceof CliError) fail(error);
  fail(new CliError(error instanceof Error ? error.message : String(error), EXIT.failed));
}
