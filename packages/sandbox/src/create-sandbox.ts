// The worker's handle on its sandbox processes. Each process runs one code step at a time (so a crash fails
// exactly the step that caused it); steps wait in a queue for a free process, preferring one that already
// has the workspace's isolate warm. The worker holds the hard deadline: a process that does not answer in
// time is killed (timeout), one that dies fails its step (sandbox_crashed), and either is replaced.
import { type ChildProcess, fork } from "node:child_process";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { checkResult } from "./check-reply.ts";
import { type CodeLimits, KILL_GRACE_MS, resolveLimits } from "./limits.ts";
import { mapStack } from "./map-stack.ts";
import type {
  CodeStepContext,
  CodeStepMessage,
  CodeStepResult,
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
};

type Slot = {
  child: ChildProcess;
  ready: boolean;
  job: Job | undefined;
  deadline: NodeJS.Timeout | undefined;
  killedForTimeout: boolean;
  /** Workspaces this process ran lately, most recent last: where their isolates are likely warm. */
  recent: string[];
};

const ENTRY = fileURLToPath(new URL("./sandbox-process.ts", import.meta.url));
const MAX_STARTUP_FAILURES = 3;

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
      job: undefined,
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
      const job = slot.job;
      const result =
        message?.type === "result" && job && message.id === job.request.id
          ? checkResult(message.result, job.request.limits)
          : undefined;
      if (!job || !result) {
        // Not what a sandbox process says: it is no longer trusted with steps.
        child.kill("SIGKILL");
        return;
      }
      clearTimeout(slot.deadline);
      slot.job = undefined;
      job.resolve(withMappedStack(result, job.sourceMap));
      pump();
    });

    let gone = false;
    const onGone = (reason: string) => {
      if (gone) return;
      gone = true;
      clearTimeout(slot.deadline);
      const job = slot.job;
      slot.job = undefined;
      if (job) {
        if (slot.killedForTimeout) {
          const { wallMs } = job.request.limits;
          failJob(job, "timeout", `The step did not finish within ${wallMs} ms; its sandbox was stopped and replaced.`);
        } else {
          failJob(
            job,
            "sandbox_crashed",
            `The sandbox process stopped (${reason}) while running the step; run it again.`,
          );
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
      const job = queue[0] as Job;
      const idle = slots.filter((slot) => slot.ready && !slot.job);
      const slot = idle.find((s) => s.recent.includes(job.request.workspaceId)) ?? idle[0];
      if (!slot) break;
      queue.shift();
      dispatch(slot, job);
    }
    holdWhileBusy();
  };

  // Steps queued or running keep the worker's process alive; idle sandboxes do not.
  const holdWhileBusy = () => {
    const busy = queue.length > 0 || slots.some((slot) => slot.job);
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

  const dispatch = (slot: Slot, job: Job) => {
    const { workspaceId, limits } = job.request;
    slot.job = job;
    slot.killedForTimeout = false;
    slot.recent = [...slot.recent.filter((id) => id !== workspaceId), workspaceId].slice(-isolatesPerProcess);
    slot.deadline = setTimeout(() => {
      slot.killedForTimeout = true;
      slot.child.kill("SIGKILL");
    }, limits.wallMs + KILL_GRACE_MS);
    slot.child.send(job.request, (error) => {
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
        queue.push({ request, sourceMap, resolve });
        pump();
      });
    },
    processIds: () => slots.map((slot) => slot.child.pid ?? 0),
    usage: () => ({
      processes: slots.filter((slot) => slot.ready).length,
      busy: slots.filter((slot) => slot.job).length,
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
