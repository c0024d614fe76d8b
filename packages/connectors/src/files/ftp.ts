// FTP and FTPS through basic-ftp. FTP does one thing at a time on a connection, so every step opens its own.
import { PassThrough, Readable } from "node:stream";
import type { Client as FtpClient } from "basic-ftp";
import { z } from "zod";
import { type FileEngine, type FileSession, joinPath } from "./file-session.ts";

const ftpConfig = z.object({
  host: z.string().trim().min(1, { message: "Enter the server's host name." }).meta({ title: "Host" }),
  port: z.number().int().min(1).max(65535).default(21).meta({ title: "Port" }),
  username: z.string().default("anonymous").meta({ title: "User name" }),
  password: z.string().optional().meta({ title: "Password", widget: "password" }),
  tls: z.enum(["explicit", "implicit", "none"]).default("explicit").meta({
    title: "TLS",
    description: "explicit: FTPS with AUTH TLS; implicit: FTPS on its own port; none: plain FTP.",
  }),
  timeoutSeconds: z.number().int().min(1).max(300).default(20).meta({ title: "Timeout (s)" }),
});
type FtpConfig = z.output<typeof ftpConfig>;

function session(client: FtpClient): FileSession {
  return {
    async list(directory) {
      return (await client.list(directory)).map((entry) => ({
        name: entry.name,
        path: joinPath(directory, entry.name),
        size: entry.size,
        modifiedAt: entry.modifiedAt?.toISOString() ?? null,
        isDirectory: entry.isDirectory,
      }));
    },
    async read(path) {
      const chunks: Buffer[] = [];
      const sink = new PassThrough();
      sink.on("data", (chunk: Buffer) => chunks.push(chunk));
      await client.downloadTo(sink, path);
      return Buffer.concat(chunks);
    },
    readStream(path) {
      const stream = new PassThrough();
      client.downloadTo(stream, path).catch((error: Error) => stream.destroy(error));
      return stream;
    },
    write: async (path, bytes) => {
      await client.uploadFrom(Readable.from(bytes), path);
    },
    makeDirectory: async (path) => {
      await client.ensureDir(path);
      await client.cd("/");
    },
    move: async (from, to) => {
      await client.rename(from, to);
    },
    remove: async (path) => {
      await client.remove(path);
    },
    close: async () => client.close(),
  };
}

export const ftpEngine: FileEngine<FtpConfig> = {
  type: "ftp",
  service: "FTP server",
  config: ftpConfig,
  async open(config, address) {
    const { Client } = await import("basic-ftp");
    const client = new Client(config.timeoutSeconds * 1000);
    try {
      await client.access({
        host: address,
        port: config.port,
        user: config.username,
        password: config.password ?? "",
        secure: config.tls === "none" ? false : config.tls === "implicit" ? "implicit" : true,
        secureOptions: { servername: config.host },
      });
    } catch (error) {
      client.close();
      throw error;
    }
    return session(client);
  },
  close: (files) => files.close(),
  ping: (files) => files.list("/"),
  isMissing: (error) => (error as { code?: unknown })?.code === 550,
  describe(error, config) {
    const code = (error as { code?: unknown })?.code;
    const message = String((error as Error)?.message ?? "");
    const where = `The FTP server at ${config.host}:${config.port}`;
    if (code === 530) return `${where} refused the user name or password (user ${config.username}).`;
    if (code === 550) return `FTP: ${message.replace(/^550 /, "")}`;
    if (/AUTH TLS|534|TLS not available|SSL/i.test(message)) {
      return `${where} does not offer TLS; set TLS to none if plain FTP is acceptable there.`;
    }
    if (typeof code === "number" && code >= 400) return `FTP: ${message}`;
    return null;
  },
};
