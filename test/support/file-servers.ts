// Real file servers on loopback for the SFTP and FTP tests: OpenSSH's sshd (with its internal SFTP server) and
// vsftpd, both from Debian's packages (.ci/run installs them), each with its own configuration in a temporary
// folder and its files in a folder the test can look into.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./free-port.ts";

export type FileServer = {
  port: number;
  /** Where the files the server serves are, on this machine. */
  root: string;
  stop(): Promise<void>;
};

async function listening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    if (child.exitCode !== null) throw new Error(`The server exited: ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`The server did not listen on ${port}: ${output()}`);
}

function run(binary: string, args: string[], dir: string): { child: ChildProcess; output: () => string } {
  let output = "";
  const child = spawn(binary, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  return { child, output: () => output };
}

const stopper = (child: ChildProcess, dir: string) => async () => {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
};

/** sshd for the current user, by key; the client's private key and the host key's SHA-256 come with it. */
export async function startSftpServer(): Promise<
  FileServer & { username: string; privateKey: string; hostKeySha256: string }
> {
  const dir = mkdtempSync(join(tmpdir(), "tributary-sftp-"));
  const root = join(dir, "files");
  mkdirSync(root);
  mkdirSync("/run/sshd", { recursive: true });
  for (const name of ["host_key", "client_key"]) {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, name)]);
  }
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_key.pub")));
  chmodSync(join(dir, "authorized_keys"), 0o600);
  const port = await freePort();
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_key")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      "PermitRootLogin prohibit-password",
      "StrictModes no",
      "UsePAM no",
      "Subsystem sftp internal-sftp",
      "LogLevel ERROR",
    ].join("\n"),
  );
  const { child, output } = run("/usr/sbin/sshd", ["-D", "-e", "-f", join(dir, "sshd_config")], dir);
  await listening(port, child, output);
  const hostKey = readFileSync(join(dir, "host_key.pub"), "utf8").split(" ")[1] ?? "";
  return {
    port,
    root,
    username: userInfo().username,
    privateKey: readFileSync(join(dir, "client_key"), "utf8"),
    hostKeySha256: createHash("sha256").update(Buffer.from(hostKey, "base64")).digest("hex"),
    stop: stopper(child, dir),
  };
}

/** vsftpd with anonymous access, writable below /upload. */
export async function startFtpServer(): Promise<FileServer> {
  const dir = mkdtempSync(join(tmpdir(), "tributary-ftp-"));
  const anonymousRoot = join(dir, "ftp");
  const root = join(anonymousRoot, "upload");
  mkdirSync(root, { recursive: true });
  mkdirSync(join(dir, "empty"));
  chmodSync(anonymousRoot, 0o755);
  chmodSync(root, 0o777);
  const port = await freePort();
  const passive = 20_000 + Math.floor(Math.random() * 20_000);
  writeFileSync(
    join(dir, "vsftpd.conf"),
    [
      "listen=YES",
      "listen_ipv6=NO",
      "listen_address=127.0.0.1",
      `listen_port=${port}`,
      "background=NO",
      "anonymous_enable=YES",
      "no_anon_password=YES",
      `anon_root=${anonymousRoot}`,
      "write_enable=YES",
      "anon_upload_enable=YES",
      "anon_mkdir_write_enable=YES",
      "anon_other_write_enable=YES",
      "anon_umask=022",
      "local_enable=NO",
      "pasv_enable=YES",
      "pasv_address=127.0.0.1",
      `pasv_min_port=${passive}`,
      `pasv_max_port=${passive + 50}`,
      "seccomp_sandbox=NO",
      `secure_chroot_dir=${join(dir, "empty")}`,
      "ftp_username=ftp", // the user Debian's vsftpd package creates
      "xferlog_enable=NO",
      "ssl_enable=NO",
    ].join("\n"),
  );
  const { child, output } = run("/usr/sbin/vsftpd", [join(dir, "vsftpd.conf")], dir);
  await listening(port, child, output);
  return { port, root, stop: stopper(child, dir) };
}
