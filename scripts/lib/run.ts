// Runs a command of the project's toolchain, inheriting the terminal, and fails loudly with its name.
import { spawnSync } from "node:child_process";

export const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

export function run(
  command: string,
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** For commands whose failures may be passing (a registry connection reset mid-download): tries in all. */
    attempts?: number;
  } = {},
): void {
  const { attempts = 1 } = options;
  for (let attempt = 1; ; attempt++) {
    const result = spawnSync(command, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: "inherit",
    });
    if (result.status === 0) return;
    const failed = `\`${command} ${args.join(" ")}\` failed (exit ${result.status ?? result.signal})`;
    if (attempt >= attempts) throw new Error(`${failed}.`);
    step(`${failed}; trying again (${attempt + 1} of ${attempts})…`);
  }
}

export function step(message: string): void {
  console.log(`\x1b[36m▸\x1b[0m ${message}`);
}
