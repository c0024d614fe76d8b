// A server the tests run as a process of their own (sshd, vsftpd, Dovecot): started, waited for until its port
// answers, and stopped with its temporary folder removed.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

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
  const child = spawn(binary, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let tries = 0; tries < 100; tries++) {
    if (child.exitCode !== null) throw new Error(`${binary} exited: ${output}`);
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
