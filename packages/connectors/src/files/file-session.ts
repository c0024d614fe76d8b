// What the file connectors need of a server: list a folder, read, write, move and delete files. SFTP and FTP
// implement it; the steps and the new-file trigger are written once for both (file-connector.ts).
import type { Readable } from "node:stream";
import type { ClientKind } from "../connection-clients.ts";

export type FileEntry = { name: string; path: string; size: number; modifiedAt: string | null; isDirectory: boolean };

export type FileSession = {
  list(directory: string): Promise<FileEntry[]>;
  read(path: string): Promise<Buffer>;
  /** The file's bytes as they arrive, for files too large to hold at once. */
  readStream(path: string): Readable;
  write(path: string, bytes: Buffer): Promise<void>;
  makeDirectory(path: string): Promise<void>;
  move(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  close(): Promise<void>;
};

export type FileEngine<Config extends { host: string; port: number }> = ClientKind<Config, FileSession> & {
  /** Whether an error means the file or folder is not there. */
  isMissing(error: unknown): boolean;
};

export const joinPath = (directory: string, name: string) => `${directory.replace(/\/+$/, "")}/${name}`;
export const parentOf = (path: string) => path.replace(/\/[^/]*$/, "") || "/";

/** A file name pattern with * and ? as a regular expression. */
export function namePattern(glob: string): RegExp {
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replaceAll("*", "[^/]*")
    .replaceAll("?", "[^/]");
  return new RegExp(`^${source}$`);
}
