// The file transfer connectors.
import { fileConnector } from "./file-connector.ts";
import { ftpEngine } from "./ftp.ts";
import { sftpEngine } from "./sftp.ts";

export const sftpConnector = fileConnector(sftpEngine);
export const ftpConnector = fileConnector(ftpEngine);
