// Every process a test helper starts is tracked here until it exits, so none outlives the test file that
// started it: process-cleanup.ts (a setup file of the integration and e2e projects) kills what is still
// running after the file's own clean-up, also after a failed or timed-out test or an abandoned start-up.
import type { ChildProcess } from "node:child_process";

const running = new Set<ChildProcess>();

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

/** Kills every tracked process still running. */
export async function killLeftoverChildren(): Promise<number> {
  const left = [...running];
  await Promise.all(left.map((child) => stopChild(child, { signal: "SIGKILL" })));
  return left.length;
}
