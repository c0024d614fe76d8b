// A real IMAP server on loopback for the mail tests: Dovecot from Debian's packages (.ci/run installs it), with
// one user and its mail in a temporary folder.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";
import { startServerProcess } from "./server-process.ts";

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
  const server = await startServerProcess({
    binary: "/usr/sbin/dovecot",
    args: ["-F", "-c", join(dir, "dovecot.conf")],
    dir,
    port,
  });
  return { port, stop: server.stop };
}
