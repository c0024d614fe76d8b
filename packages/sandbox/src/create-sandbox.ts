// The worker's handle on its sandbox processes. Each process runs one code step at a time; steps wait in a
// queue for a free process, preferring one that already has the workspace's isolate warm, and a free process
// takes the waiting steps in one batch (one message each way). The worker holds the hard deadline: a process
// that does not answer in time is killed (timeout), one that dies fails its step (sandbox_crashed), and
// either is replaced. A batch that took its process down is run again one step at a time, so only the step
// that caused it fails (code steps have no outside effects: running one again is safe).
import { type ChildProcess, fork } from "node:child_process";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { checkResult } from "./check-reply.ts";
import { type CodeLimits, KILL_GRACE_MS, resolveLimits } from "./limits.ts";
import { mapStack } from "./map-stack.ts";
import type {
  CodeStepContext,
  CodeStepMessage,
  CodeStepResult,
  RunBatch,
  RunRequest,
  SandboxErrorCode,
  SandboxProcessConfig,
  SandboxReply,
} from "./protocol.ts";

export type RunCodeStepOptions = {
  /** The workspace the step belongs to: its isolate is never shared with another workspace. */
  workspaceId: string;
  /** From compileCodeStep, as stored in the flow version. */
  code: string;
  sourceMap?: string;
  message: CodeStepMessage;
  ctx: CodeStepContext;
  limits?: Partial<CodeLimits>;
};

export type Sandbox = {
  /** Runs a code step; resolves with a result or a coded error, never rejects for what the step did. */
  run(options: RunCodeStepOptions): Promise<CodeStepResult>;
  /** The sandbox processes' ids, for monitoring. */
  processIds(): number[];
  /** Processes running (0 until the first code step), those running a step now, and steps waiting for one. */
  usage(): { processes: number; busy: number; queued: number };
  /** Stops the processes; steps still queued or running resolve with sandbox_crashed. */
  close(): Promise<void>;
};

export type SandboxOptions = {
  /** How many sandbox processes to run; each runs one step at a time. Default: the number of CPUs. */
  processes?: number;
  /** Warm isolates (one per workspace) each process keeps; the least recently used goes first. Default 8. */
  isolatesPerProcess?: number;
  /** Heap cap of each sandbox process itself, in MB; isolates have their own limits on top. Default 256. */
  maxOldSpaceMb?: number;
};

type Job = {
  request: RunRequest;
  sourceMap: string | undefined;
  resolve: (result: CodeStepResult) => void;
  /** It was in a batch that took its process down: it runs alone now, so a second time is its own doing. */
  alone: boolean;
};

type Slot = {
  child: ChildProcess;
  ready: boolean;
  /** The batch the process runs now; empty when it is free. */
  jobs: Job[];
  deadline: NodeJS.Timeout | undefined;
  killedForTimeout: boolean;
  /** Workspaces this process ran lately, most recent last: where their isolates are likely warm. */
  recent: string[];
};

// Found as the package's export, not beside this file: the worker may run as a bundle of this module.
const ENTRY = createRequire(import.meta.url).resolve("@tributary/sandbox/sandbox-process");
const MAX_STARTUP_FAILURES = 3;
/** Steps per batch: enough to share a message's cost, few enough that a step does not wait long behind others. */
const MAX_BATCH = 8;

/** What a sandbox process may read: this package's source and isolated-vm's native addon, nothing else. */
function readablePaths(): string[] {
  const require = createRequire(import.meta.url);
  const isolatedVm = require.resolve("isolated-vm/package.json");
  const nodeGypBuild = createRequire(isolatedVm).resolve("node-gyp-build/package.json");
  return [
    dirname(dirname(ENTRY)),
    dirname(isolatedVm),
    dirname(nodeGypBuild),
    // node-gyp-build looks for it to tell musl from glibc.
    "/etc/alpine-release",
  ];
}

export function createSandbox({
  processes = availableParallelism(),
  isolatesPerProcess = 8,
  maxOldSpaceMb = 256,
}: SandboxOptions = {}): Sandbox {
  const execArgv = [
    "--no-node-snapshot",
    `--max-old-space-size=${maxOldSpaceMb}`,
    "--permission",
    "--allow-addons",
    // The flag's own warning says what we know: a native addon (isolated-vm) runs outside the model.
    "--disable-warning=SecurityWarning",
    ...readablePaths().map((path) => `--allow-fs-read=${path}`),
  ];
  const config: SandboxProcessConfig = { isolates: isolatesPerProcess };
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;
  let startupFailures = 0;
  const restarts = new Set<NodeJS.Timeout>();

  const failJob = (job: Job, code: SandboxErrorCode, message: string) =>
    job.resolve({ ok: false, error: { code, message }, logs: [] });

  const spawn = (index: number) => {
    const child = fork(ENTRY, [JSON.stringify(config)], {
      execArgv,
      // Nothing of the worker's environment (database URL, keys) is inherited.
      env: {} as NodeJS.ProcessEnv,
      serialization: "json",
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    const slot: Slot = {
      child,
      ready: false,
      jobs: [],
      deadline: undefined,
      killedForTimeout: false,
      recent: [],
    };
    slots[index] = slot;

    child.on("message", (message: SandboxReply) => {
      if (message?.type === "ready" && !slot.ready) {
        slot.ready = true;
        startupFailures = 0;
        return pump();
      }
      const jobs = slot.jobs;
      const results =
        message?.type === "results" && Array.isArray(message.results) && message.results.length === jobs.length
          ? jobs.map((job, index) => {
              const reply = message.results[index];
              return reply?.id === job.request.id ? checkResult(reply.result, job.request.limits) : undefined;
            })
          : [];
      if (jobs.length === 0 || results.length === 0 || results.includes(undefined)) {
        // Not what a sandbox process says: it is no longer trusted with steps.
        child.kill("SIGKILL");
        return;
      }
      clearTimeout(slot.deadline);
      slot.jobs = [];
      jobs.forEach((job, index) => {
        job.resolve(withMappedStack(results[index] as CodeStepResult, job.sourceMap));
      });
      pump();
    });

    let gone = false;
    const onGone = (reason: string) => {
      if (gone) return;
      gone = true;
      clearTimeout(slot.deadline);
      const jobs = slot.jobs;
      slot.jobs = [];
      if (jobs.length > 1 && !closed) {
        // Which step of the batch did it is unknown: each runs again alone, first in line.
        queue.unshift(...jobs.map((job) => ({ ...job, alone: true })));
      } else {
        for (const job of jobs) {
          if (slot.killedForTimeout && jobs.length === 1) {
            const { wallMs } = job.request.limits;
            failJob(
              job,
              "timeout",
              `The step did not finish within ${wallMs} ms; its sandbox was stopped and replaced.`,
            );
          } else {
            failJob(
              job,
              "sandbox_crashed",
              `The sandbox process stopped (${reason}) while running the step; run it again.`,
            );
          }
        }
      }
      if (closed) return;
      if (slot.ready) return spawn(index);
      // It died before it was ready: retry with back-off, and when none can start, fail what waits.
      startupFailures++;
      if (startupFailures >= MAX_STARTUP_FAILURES && !slots.some((s) => s.ready)) {
        for (const waiting of queue.splice(0)) {
          failJob(waiting, "sandbox_crashed", `Sandbox processes fail to start (${reason}).`);
        }
      }
      const restart = setTimeout(
        () => {
          restarts.delete(restart);
          spawn(index);
        },
        Math.min(30_000, 100 * 2 ** startupFailures),
      );
      restarts.add(restart);
    };
    child.on("exit", (code, signal) => onGone(signal ?? `exit ${code}`));
    child.on("error", (error) => {
      child.kill("SIGKILL");
      onGone(error.message);
    });
    holdWhileBusy();
  };

  const pump = () => {
    while (queue.length) {
      const idle = slots.filter((slot) => slot.ready && slot.jobs.length === 0);
      const first = queue[0] as Job;
      const slot = idle.find((s) => s.recent.includes(first.request.workspaceId)) ?? idle[0];
      if (!slot) break;
      // The waiting steps shared between the free processes, up to a batch each; one under suspicion goes alone.
      const share = Math.min(MAX_BATCH, Math.ceil(queue.length / idle.length));
      const batch = [queue.shift() as Job];
      while (!first.alone && batch.length < share && queue[0] && !queue[0].alone) batch.push(queue.shift() as Job);
      dispatch(slot, batch);
    }
    holdWhileBusy();
  };

  // Steps queued or running keep the worker's process alive; idle sandboxes do not.
  const holdWhileBusy = () => {
    const busy = queue.length > 0 || slots.some((slot) => slot.jobs.length > 0);
    for (const { child } of slots) {
      if (busy) {
        child.ref();
        child.channel?.ref();
      } else {
        child.unref();
        child.channel?.unref();
      }
    }
  };

  const dispatch = (slot: Slot, jobs: Job[]) => {
    slot.jobs = jobs;
    slot.killedForTimeout = false;
    for (const { request } of jobs) {
      const { workspaceId } = request;
      slot.recent = [...slot.recent.filter((id) => id !== workspaceId), workspaceId].slice(-isolatesPerProcess);
    }
    // The steps run one after another: the batch has the time of all of them.
    const wallMs = jobs.reduce((sum, job) => sum + job.request.limits.wallMs, 0);
    slot.deadline = setTimeout(() => {
      slot.killedForTimeout = true;
      slot.child.kill("SIGKILL");
    }, wallMs + KILL_GRACE_MS);
    const batch: RunBatch = { type: "batch", requests: jobs.map((job) => job.request) };
    slot.child.send(batch, (error) => {
      if (error) slot.child.kill("SIGKILL");
    });
  };

  // Started with the first code step, not with the worker: a worker whose flows have no code step does not
  // carry the processes' memory.
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    for (let index = 0; index < Math.max(1, processes); index++) spawn(index);
  };

  return {
    run({ workspaceId, code, sourceMap, message, ctx, limits }) {
      if (closed) return Promise.reject(new Error("The sandbox is closed."));
      if (ctx.run.workspaceId !== workspaceId) {
        return Promise.reject(new TypeError("ctx.run.workspaceId must be the workspace the step runs for."));
      }
      let resolved: CodeLimits;
      try {
        resolved = resolveLimits(limits);
      } catch (error) {
        return Promise.reject(error);
      }
      const request: RunRequest = { type: "run", id: nextId++, workspaceId, code, message, ctx, limits: resolved };
      start();
      return new Promise<CodeStepResult>((resolve) => {
        queue.push({ request, sourceMap, resolve, alone: false });
        pump();
      });
    },
    processIds: () => slots.map((slot) => slot.child.pid ?? 0),
    usage: () => ({
      processes: slots.filter((slot) => slot.ready).length,
      busy: slots.filter((slot) => slot.jobs.length > 0).length,
      queued: queue.length,
    }),
    async close() {
      closed = true;
      for (const restart of restarts) clearTimeout(restart);
      for (const job of queue.splice(0)) failJob(job, "sandbox_crashed", "The sandbox was closed before the step ran.");
      await Promise.all(
        slots.map(
          (slot) =>
            new Promise<void>((done) => {
              if (slot.child.exitCode !== null || slot.child.signalCode !== null) return done();
              slot.child.ref();
              slot.child.once("exit", () => done());
              slot.child.kill("SIGKILL");
            }),
        ),
      );
    },
  };
}

function withMappedStack(result: CodeStepResult, sourceMap: string | undefined): CodeStepResult {
  if (result.ok || result.error.stack === undefined) return result;
  const { stack: raw, ...error } = result.error;
  const stack = mapStack({ stack: raw, sourceMap });
  return { ...result, error: stack ? { ...error, stack } : error };
}
