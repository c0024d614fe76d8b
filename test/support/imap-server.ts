// A real IMAP server on loopback for the mail tests: Dovecot from Debian's packages (.ci/run installs it), with
// one user and its mail in a temporary folder.
import { spawn } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./free-port.ts";

/** Mail is kept as this user (Dovecot will not keep it as root). */
const MAIL_UID = 65534;

export async function startImapServer({ username, password }: { username: string; password: string }) {
  const dir = mkdtempSync(join(tmpdir(), "tributary-imap-"));
  chmodSync(dir, 0o755); // the mail user walks through it to its home
  const home = join(dir, "mail", username);
  mkdirSync(home, { recursive: true });
  chownSync(join(dir, "mail"), MAIL_UID, MAIL_UID);
  chownSync(home, MAIL_UID, MAIL_UID);
  writeFileSync(join(dir, "users"), `${username}:{PLAIN}${password}\n`);
  const port = await freePort();
  writeFileSync(
    join(dir, "dovecot.conf"),
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = ${MAIL_UID}
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${MAIL_UID} gid=${MAIL_UID} home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`,
  );
  let output = "";
  const child = spawn("/usr/sbin/dovecot", ["-F", "-c", join(dir, "dovecot.conf")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`Dovecot exited: ${output}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) break;
    if (tries > 100) throw new Error(`Dovecot did not listen on ${port}: ${output}`);
    await sleep(50);
  }
  return {
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
