// A server the tests run as a process of their own (sshd, vsftpd, Dovecot): started, waited for until its port
// answers (generously: a busy machine is slow), and stopped with its temporary folder removed; one that does
// not come up is stopped before the error is thrown, and none outlives its test file (child-registry.ts).
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { stopChild, trackChild } from "./child-registry.ts";

const START_TIMEOUT_MS = 60_000;

export type ServerProcess = { stop(): Promise<void> };

export async function startServerProcess({
  binary,
  args,
  dir,
  port,
}: {
  binary: string;
  args: string[];
  /** Its working folder, removed when it stops. */
  dir: string;
  port: number;
}): Promise<ServerProcess> {
  let output = "";
  const child = trackChild(spawn(binary, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }));
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  // A binary that is not installed: said in the error below, not thrown as an unhandled event.
  child.on("error", (error) => (output += error.message));
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`${binary} exited: ${output}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return { stop };
    await sleep(50);
  }
  await stop();
  throw new Error(`${binary} did not listen on ${port}: ${output}`);
}
