// Runs a command of the project's toolchain, inheriting the terminal, and fails loudly with its name.
import { spawnSync } from "node:child_process";

export const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): void {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: "inherit",
  });
  if (result.status !== 0) {
    throw new Error(`\`${command} ${args.join(" ")}\` failed (exit ${result.status ?? result.signal}).`);
  }
}

export function step(message: string): void {
  console.log(`\x1b[36m▸\x1b[0m ${message}`);
}
