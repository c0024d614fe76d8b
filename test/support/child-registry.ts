// Every process a test helper starts is tracked here, so none outlives the test file that started it: when
// the test process exits (also after a failed or timed-out test, or a start-up that was abandoned), whatever
// is still running is killed.
import type { ChildProcess } from "node:child_process";

const running = new Set<ChildProcess>();

process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Tracks `child` until it exits. */
export function trackChild<C extends ChildProcess>(child: C): C {
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

/** SIGTERM (or `signal`), then SIGKILL if it has not exited after `graceMs`. */
export async function stopChild(child: ChildProcess, { signal = "SIGTERM", graceMs = 10_000 } = {}): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill(signal as NodeJS.Signals);
  const killer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(killer);
}
