// What one code step may use, per the workspace's plan.
export type CodeLimits = {
  /** Heap of the step's isolate; past it V8 disposes the isolate and the step fails with memory_limit. */
  memoryMb: number;
  /**
   * Time the step's own code may run. A code step cannot wait (no timers, no I/O), so its run time is CPU
   * time; the isolate is stopped when it is used up (cpu_limit, or timeout when the machine was so busy
   * that the step got less than half of that time on a CPU).
   */
  cpuMs: number;
  /** Backstop for the whole run in its sandbox process: past it (plus a short grace) the process is killed. */
  wallMs: number;
  /** The serialized result (body and added headers), in UTF-8 bytes. */
  outputBytes: number;
  logLines: number;
  logBytes: number;
};

export const DEFAULT_CODE_LIMITS: Readonly<CodeLimits> = Object.freeze({
  memoryMb: 64,
  cpuMs: 1_000,
  wallMs: 5_000,
  outputBytes: 1024 * 1024,
  logLines: 200,
  logBytes: 64 * 1024,
});

/** Results nest at most this deep; the isolate runtime refuses deeper ones with a clear message. */
export const MAX_RESULT_DEPTH = 100;

/** A step may append at most this many headers. */
export const MAX_ADDED_HEADERS = 100;

/** How long past `wallMs` a silent sandbox process is given before it is killed. */
export const KILL_GRACE_MS = 500;

// isolated-vm refuses isolates under 8 MB; the upper bounds keep a typo in a plan from taking the machine.
const BOUNDS: Record<keyof CodeLimits, [number, number]> = {
  memoryMb: [8, 4096],
  cpuMs: [1, 600_000],
  wallMs: [1, 600_000],
  outputBytes: [16, 256 * 1024 * 1024],
  logLines: [0, 100_000],
  logBytes: [0, 64 * 1024 * 1024],
};

/** The plan's limits over the defaults; a TypeError when one is not a whole number in range. */
export function resolveLimits(limits: Partial<CodeLimits> = {}): CodeLimits {
  const resolved = { ...DEFAULT_CODE_LIMITS };
  for (const [name, [min, max]] of Object.entries(BOUNDS) as [keyof CodeLimits, [number, number]][]) {
    const value = limits[name] ?? DEFAULT_CODE_LIMITS[name];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new TypeError(`Code step limit ${name} must be a whole number from ${min} to ${max}, got ${value}`);
    }
    resolved[name] = value;
  }
  return resolved;
}
