// The entry of a sandbox process: runs the code steps the worker sends over IPC, one at a time, in the
// batches they come in. Isolates live here, away from the worker's database and queue connections, as isolated-vm's README advises; the
// worker starts this process with --no-node-snapshot (isolated-vm needs it), a capped heap, an empty
// environment and Node's permission model (no file writes, no child processes, reads of this package only).
import { createIsolatePool } from "./isolate-pool.ts";
import type { CodeStepResult, RunBatch, RunRequest, SandboxProcessConfig, SandboxReply } from "./protocol.ts";
import { runInIsolate } from "./run-in-isolate.ts";

const config = JSON.parse(process.argv[2] ?? "{}") as Partial<SandboxProcessConfig>;

const pool = createIsolatePool({
  maxIsolates: config.isolates ?? 8,
  // isolated-vm: v8 has lost control of an isolate; the only safe thing left is to end the process. The
  // worker fails the step that ran (sandbox_crashed) and starts another process.
  onCatastrophicError: (message) => {
    process.stderr.write(`sandbox: catastrophic isolate error: ${message}\n`);
    process.abort();
  },
});

const reply = (message: SandboxReply) => process.send?.(message);

process.on("message", (batch: RunBatch) => {
  if (batch?.type !== "batch" || !Array.isArray(batch.requests)) return;
  reply({ type: "results", results: batch.requests.map((request) => ({ id: request.id, result: run(request) })) });
});

function run(request: RunRequest): CodeStepResult {
  try {
    return runInIsolate({ pool, request });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { code: "sandbox_crashed", message: `The sandbox failed: ${message}` }, logs: [] };
  }
}

// When the worker goes, so do we.
process.on("disconnect", () => process.exit(0));

reply({ type: "ready" });
