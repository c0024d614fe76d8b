// Warm isolates in a sandbox process, one per workspace and never shared between workspaces, each with its
// compiled scripts and one context that serves the workspace's runs one after another. Making a context
// costs more than most steps do (≈ 0.4–0.6 ms of V8's time), so it is kept while its runs end the ordinary
// way: nothing a step could leave behind (a polluted prototype, a global) reaches the next run, because the
// context's globals and built-ins are frozen (lock-down.ts) and each run evaluates the step's module anew.
// A run that ended any other way (a limit hit, the runtime's own footing broken) costs its context.
// Keeping workspaces in separate isolates (separate heaps) means what is left in memory after one
// workspace's run (its secrets, its messages) is not in the heap another workspace's code runs in.
import ivm from "isolated-vm";
import { ISOLATE_RUNTIME_SOURCE, RUNTIME_FILENAME, type StartStep } from "./isolate-runtime.ts";
import { CODE_STEP_SCRIPT_FILENAME } from "./protocol.ts";

const MAX_SCRIPTS_PER_ISOLATE = 32;
// The runtime's setup is our own code: a generous bound only guards against a broken isolate.
const SETUP_TIMEOUT_MS = 2_000;

/** Where the current run's console lines go; the runtime's Callback writes here. */
export type LogSink = { write: ((level: unknown, text: unknown) => void) | undefined };

export type PreparedContext = { context: ivm.Context; start: ivm.Reference<StartStep>; sink: LogSink };

export type WarmIsolate = {
  workspaceId: string;
  isolate: ivm.Isolate;
  memoryMb: number;
  runtime: ivm.Script;
  scripts: Map<string, ivm.Script>;
  context: PreparedContext | undefined;
};

export type IsolatePool = {
  /** The workspace's isolate, new (cold) when it had none or its memory limit changed. */
  acquire(options: { workspaceId: string; memoryMb: number }): { warm: WarmIsolate; cold: boolean };
  /** The isolate's context, set up now if it has none. */
  context(warm: WarmIsolate): PreparedContext;
  script(warm: WarmIsolate, code: string): ivm.Script;
  /**
   * After a run: lets go of the context unless the run ended the ordinary way, drops a disposed or bloated
   * isolate, and sets up a context for the next run while idle.
   */
  settle(warm: WarmIsolate, outcome: { keepContext: boolean }): void;
};

export function createIsolatePool({
  maxIsolates,
  onCatastrophicError,
}: {
  maxIsolates: number;
  onCatastrophicError: (message: string) => void;
}): IsolatePool {
  const warmIsolates = new Map<string, WarmIsolate>();

  const discard = (warm: WarmIsolate) => {
    if (warmIsolates.get(warm.workspaceId) === warm) warmIsolates.delete(warm.workspaceId);
    if (!warm.isolate.isDisposed) warm.isolate.dispose();
  };

  const prepare = (warm: WarmIsolate): PreparedContext => {
    const context = warm.isolate.createContextSync();
    const sink: LogSink = { write: undefined };
    const hostLog = new ivm.Callback((level: unknown, text: unknown) => sink.write?.(level, text));
    const runtime = warm.runtime.runSync(context, { reference: true, timeout: SETUP_TIMEOUT_MS });
    const start = runtime.applySync(undefined, [hostLog], {
      result: { reference: true },
      timeout: SETUP_TIMEOUT_MS,
    }) as ivm.Reference<StartStep>;
    runtime.release();
    return { context, start, sink };
  };

  return {
    acquire({ workspaceId, memoryMb }) {
      const existing = warmIsolates.get(workspaceId);
      if (existing && !existing.isolate.isDisposed && existing.memoryMb === memoryMb) {
        // Map order is the LRU order: move to the back.
        warmIsolates.delete(workspaceId);
        warmIsolates.set(workspaceId, existing);
        return { warm: existing, cold: false };
      }
      if (existing) discard(existing);
      for (const oldest of warmIsolates.values()) {
        if (warmIsolates.size < maxIsolates) break;
        discard(oldest);
      }
      const isolate = new ivm.Isolate({ memoryLimit: memoryMb, onCatastrophicError });
      const runtime = isolate.compileScriptSync(ISOLATE_RUNTIME_SOURCE, { filename: RUNTIME_FILENAME });
      const warm: WarmIsolate = { workspaceId, isolate, memoryMb, runtime, scripts: new Map(), context: undefined };
      warmIsolates.set(workspaceId, warm);
      return { warm, cold: true };
    },

    context(warm) {
      warm.context ??= prepare(warm);
      return warm.context;
    },

    script(warm, code) {
      const cached = warm.scripts.get(code);
      if (cached) {
        warm.scripts.delete(code);
        warm.scripts.set(code, cached);
        return cached;
      }
      const script = warm.isolate.compileScriptSync(code, { filename: CODE_STEP_SCRIPT_FILENAME });
      for (const [oldCode, oldScript] of warm.scripts) {
        if (warm.scripts.size < MAX_SCRIPTS_PER_ISOLATE) break;
        oldScript.release();
        warm.scripts.delete(oldCode);
      }
      warm.scripts.set(code, script);
      return script;
    },

    settle(warm, { keepContext }) {
      if (warm.isolate.isDisposed) return discard(warm);
      if (!keepContext && warm.context) {
        warm.context.start.release();
        warm.context.context.release();
        warm.context = undefined;
      }
      // An isolate holding more than half its limit after a run (garbage included: V8 collects lazily) is
      // dropped, so idle workspaces do not pin memory and the next run starts with the whole limit.
      const heap = warm.isolate.getHeapStatisticsSync();
      if (heap.used_heap_size + heap.externally_allocated_size > (warm.memoryMb * 1024 * 1024) / 2) {
        return discard(warm);
      }
      setImmediate(() => {
        if (warm.context || warm.isolate.isDisposed || warmIsolates.get(warm.workspaceId) !== warm) return;
        try {
          warm.context = prepare(warm);
        } catch {
          discard(warm);
        }
      });
    },
  };
}
