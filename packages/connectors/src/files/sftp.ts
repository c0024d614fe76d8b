// SFTP (over SSH) through ssh2-sftp-client: a password or a private key, and the server's host key pinned when
// its fingerprint is given.
import type SftpClient from "ssh2-sftp-client";
import { z } from "zod";
import { type FileEngine, type FileSession, joinPath } from "./file-session.ts";

const sftpConfig = z.object({
  host: z.string().trim().min(1, { message: "Enter the server's host name." }).meta({ title: "Host" }),
  port: z.number().int().min(1).max(65535).default(22).meta({ title: "Port" }),
  username: z.string().trim().min(1, { message: "Enter the user name." }).meta({ title: "User name" }),
  password: z.string().optional().meta({ title: "Password", widget: "password" }),
  privateKey: z.string().optional().meta({ title: "Private key (PEM or OpenSSH)", widget: "password" }),
  passphrase: z.string().optional().meta({ title: "Key passphrase", widget: "password" }),
  hostKeySha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, { message: "The SHA-256 of the host key, as 64 hex digits." })
    .optional()
    .meta({ title: "Host key SHA-256", description: "Given: the server must show this key (recommended)." }),
  timeoutSeconds: z.number().int().min(1).max(300).default(20).meta({ title: "Timeout (s)" }),
});
type SftpConfig = z.output<typeof sftpConfig>;

function session(client: SftpClient): FileSession {
  return {
    async list(directory) {
      return (await client.list(directory)).map((entry) => ({
        name: entry.name,
        path: joinPath(directory, entry.name),
        size: entry.size,
        modifiedAt: new Date(entry.modifyTime).toISOString(),
        isDirectory: entry.type === "d",
      }));
    },
    read: async (path) => (await client.get(path)) as Buffer,
    readStream: (path) => client.createReadStream(path),
    write: async (path, bytes) => {
      await client.put(bytes, path);
    },
    makeDirectory: async (path) => {
      await client.mkdir(path, true);
    },
    move: async (from, to) => {
      await client.rename(from, to);
    },
    remove: async (path) => {
      await client.delete(path);
    },
    close: async () => {
      await client.end();
    },
  };
}

export const sftpEngine: FileEngine<SftpConfig> = {
  type: "sftp",
  service: "SFTP server",
  config: sftpConfig,
  async open(config, address) {
    const { default: Client } = await import("ssh2-sftp-client");
    const client = new Client("tributary");
    await client.connect({
      host: address,
      port: config.port,
      username: config.username,
      ...(config.password ? { password: config.password } : {}),
      ...(config.privateKey ? { privateKey: config.privateKey } : {}),
      ...(config.passphrase ? { passphrase: config.passphrase } : {}),
      readyTimeout: config.timeoutSeconds * 1000,
      ...(config.hostKeySha256
        ? {
            hostHash: "sha256",
            hostVerifier: (hash: string) => hash.toLowerCase() === config.hostKeySha256?.toLowerCase(),
          }
        : {}),
    });
    return session(client);
  },
  close: (files) => files.close(),
  ping: (files) => files.list("."),
  isMissing: (error) =>
    /no such file|ENOENT|code: 2\b/i.test(`${(error as Error)?.message} ${(error as { code?: unknown })?.code}`),
  describe(error, config) {
    const message = String((error as Error)?.message ?? "");
    const where = `The SFTP server at ${config.host}:${config.port}`;
    if (/authentication methods failed|All configured authentication/i.test(message)) {
      return `${where} refused the user name, password or key (user ${config.username}).`;
    }
    if (/host.*(verif|denied)|Host denied/i.test(message))
      return `${where} showed a host key other than the one pinned.`;
    if (/permission denied/i.test(message)) return `${where} does not let ${config.username} do that: ${message}`;
    if (/no such file/i.test(message)) return `SFTP: ${message.replace(/^.*?: /, "")}`;
    return null;
  },
};
