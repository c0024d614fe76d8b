// Real file servers on loopback for the SFTP and FTP tests: OpenSSH's sshd (with its internal SFTP server) and
// vsftpd, both from Debian's packages (.ci/run installs them), each with its own configuration in a temporary
// folder and its files in a folder the test can look into.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";
import { startServerProcess } from "./server-process.ts";

export type FileServer = {
  port: number;
  /** Where the files the server serves are, on this machine. */
  root: string;
  stop(): Promise<void>;
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
  const server = await startServerProcess({
    binary: "/usr/sbin/sshd",
    args: ["-D", "-e", "-f", join(dir, "sshd_config")],
    dir,
    port,
  });
  const hostKey = readFileSync(join(dir, "host_key.pub"), "utf8").split(" ")[1] ?? "";
  return {
    port,
    root,
    username: userInfo().username,
    privateKey: readFileSync(join(dir, "client_key"), "utf8"),
    hostKeySha256: createHash("sha256").update(Buffer.from(hostKey, "base64")).digest("hex"),
    stop: server.stop,
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
  const server = await startServerProcess({ binary: "/usr/sbin/vsftpd", args: [join(dir, "vsftpd.conf")], dir, port });
  return { port, root, stop: server.stop };
}
