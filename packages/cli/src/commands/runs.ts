// runs list | get | start | tail
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { Api } from "../client.ts";
import type { Context } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { duration, type Output, table, when } from "../output.ts";
import { readStdin } from "../stdin.ts";

type RunSummary = {
  id: string;
  flowName: string;
  version: number;
  status: string;
  trigger: string;
  messageId: string;
  queuedAt: string;
  durationMs: number | null;
  error: { message: string; stepId?: string } | null;
};
type StepRun = {
  key: string;
  stepId: string;
  stepType: string;
  status: string;
  port: string | null;
  logs: { level: string; message: string; at: string }[];
  error: { message: string } | null;
  attempt: number;
  durationMs: number;
};
type RunDetail = RunSummary & { output: { body: unknown } | null; steps: StepRun[] };

const ENDED = new Set(["succeeded", "failed", "cancelled"]);
const MARK: Record<string, string> = { succeeded: "✓", failed: "✗", skipped: "–" };

/** A header given as name=value (or "name: value"). */
function parseHeader(text: string): { name: string; value: string } {
  const match = /^([^=:]+)[=:]\s*(.*)$/.exec(text);
  if (!match) throw new CliError(`--header ${text}: write it as name=value.`, EXIT.usage);
  return { name: (match[1] as string).trim(), value: match[2] as string };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function stepLine(step: StepRun): string {
  const port = step.port && step.port !== "out" ? ` → ${step.port}` : "";
  const attempt = step.attempt > 1 ? ` (attempt ${step.attempt})` : "";
  const error = step.error ? `: ${step.error.message}` : "";
  return `${MARK[step.status] ?? "·"} ${step.key} [${step.stepType}] ${duration(step.durationMs)}${port}${attempt}${error}`;
}

/** Follows a run until it ends: each step as it finishes, with its logs. Exits 1 unless it succeeded. */
async function follow(api: Api, out: Output, runId: string, intervalMs: number): Promise<void> {
  const seen = new Set<string>();
  for (;;) {
    const { status, steps } = await api.get<{ status: string; steps: StepRun[] }>(`/runs/${runId}/steps`);
    for (const step of steps) {
      if (seen.has(step.key)) continue;
      seen.add(step.key);
      if (out.json) process.stdout.write(`${JSON.stringify({ type: "step", ...step })}\n`);
      else {
        out.say(stepLine(step));
        for (const log of step.logs) out.say(`    ${log.level}: ${log.message}`);
      }
    }
    if (ENDED.has(status)) {
      const run = await api.get<RunDetail>(`/runs/${runId}`);
      if (out.json) process.stdout.write(`${JSON.stringify({ type: "run", ...run })}\n`);
      else {
        out.say(`Run ${run.status} in ${duration(run.durationMs)}.`);
        if (run.error) out.say(`Error: ${run.error.message}`);
      }
      if (run.status !== "succeeded") throw new CliError(`The run ${run.status}.`, EXIT.failed);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function runCommands(program: Command, context: (command: Command) => Context) {
  const runs = program.command("runs").description("The transaction log: list, read, start and follow runs");

  runs
    .command("list")
    .description("Runs, newest first, with the Runs page's filters")
    .option("--flow <flowId>", "runs of one flow")
    .option("--status <status>", "queued, running, waiting, succeeded, failed or cancelled")
    .option("--trigger <trigger>", "webhook, schedule, manual, api…")
    .option("--message-id <id>", "the run of one message")
    .option("--header <name=value>", "runs whose input has this header")
    .option("--text <words>", "words in the input or output body")
    .option("--from <time>", "queued at or after (ISO time)")
    .option("--to <time>", "queued at or before (ISO time)")
    .option("--limit <n>", "runs per page (1–200)", "20")
    .option("--cursor <cursor>", "the next page, as printed after the last one")
    .action(async (options: Record<string, string | undefined>, command: Command) => {
      const { out, api } = context(command);
      const query = new URLSearchParams();
      const header = options.header ? parseHeader(options.header) : null;
      const params: Record<string, string | undefined> = {
        flowId: options.flow,
        status: options.status,
        trigger: options.trigger,
        messageId: options.messageId,
        headerName: header?.name,
        headerValue: header?.value,
        text: options.text,
        from: options.from,
        to: options.to,
        limit: options.limit,
        cursor: options.cursor,
      };
      for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, value);
      const page = await (await api()).get<{ runs: RunSummary[]; nextCursor: string | null }>(`/runs?${query}`);
      out.result(page, () => {
        if (!page.runs.length) return out.say("No runs match.");
        out.say(
          table(
            page.runs.map((run) => ({
              id: run.id,
              flow: run.flowName,
              version: `v${run.version}`,
              status: run.status,
              trigger: run.trigger,
              queued: when(run.queuedAt),
              duration: duration(run.durationMs),
            })),
            ["id", "flow", "version", "status", "trigger", "queued", "duration"],
          ),
        );
        if (page.nextCursor) out.say(`\nMore: --cursor ${page.nextCursor}`);
      });
    });

  runs
    .command("get")
    .description("A run with its steps, errors and output")
    .argument("<runId>")
    .action(async (runId: string, _options: unknown, command: Command) => {
      const { out, api } = context(command);
      const run = await (await api()).get<RunDetail>(`/runs/${runId}`);
      out.result(run, () => {
        out.say(`Run ${run.id} of ${run.flowName} v${run.version}: ${run.status} (${run.trigger})`);
        out.say(`Message ${run.messageId}, queued ${when(run.queuedAt)}, took ${duration(run.durationMs) || "—"}.`);
        if (run.error) out.say(`Error${run.error.stepId ? ` in ${run.error.stepId}` : ""}: ${run.error.message}`);
        for (const step of run.steps) out.say(stepLine(step));
        if (run.output) out.say(`Output body:\n${JSON.stringify(run.output.body, null, 2)}`);
      });
    });

  runs
    .command("start")
    .description("Run a flow's published version with a message")
    .argument("<flowId>")
    .option("--body <json>", "the message body as JSON; - reads it from stdin", "{}")
    .option("--body-file <path>", "read the body from a JSON file")
    .option("--header <name=value>", "a message header (repeat for more)", collect, [])
    .option("--tail", "follow the run until it ends; exit 1 unless it succeeds")
    .option("--interval <ms>", "how often --tail asks, in milliseconds", "500")
    .action(
      async (
        flowId: string,
        options: { body: string; bodyFile?: string; header: string[]; tail?: boolean; interval: string },
        command: Command,
      ) => {
        const { out, api } = context(command);
        const text = options.bodyFile
          ? await readFile(options.bodyFile, "utf8").catch(() => {
              throw new CliError(`Cannot read ${options.bodyFile}.`, EXIT.usage);
            })
          : options.body === "-"
            ? await readStdin()
            : options.body;
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw new CliError("The body is not valid JSON.", EXIT.usage);
        }
        const client = await api();
        const started = await client.post<{ runId: string; messageId: string }>("/runs", {
          flowId,
          body,
          headers: options.header.map(parseHeader),
        });
        if (!options.tail) return out.result(started, () => out.say(`Started run ${started.runId}.`));
        out.say(`Started run ${started.runId}.`);
        await follow(client, out, started.runId, Number(options.interval));
      },
    );

  runs
    .command("tail")
    .description("Follow a run's steps live until it ends; exit 1 unless it succeeds")
    .argument("<runId>")
    .option("--interval <ms>", "how often to ask, in milliseconds", "500")
    .action(async (runId: string, options: { interval: string }, command: Command) => {
      const { out, api } = context(command);
      await follow(await api(), out, runId, Number(options.interval));
    });
}
