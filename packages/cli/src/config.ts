// Where `tributary login` keeps the server URL and API key: <config dir>/tributary/config.json, readable by
// the user alone (mode 600). TRIBUTARY_URL and TRIBUTARY_API_KEY override it, for CI jobs.
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { env } from "./env.ts";
import { CliError, EXIT } from "./exit-codes.ts";

export type Login = { url: string; key: string };

export function configDir(): string {
  if (env.configDir) return env.configDir;
  const base =
    env.xdgConfigHome ?? (process.platform === "win32" ? (env.appData ?? homedir()) : join(homedir(), ".config"));
  return join(base, "tributary");
}

export const configFile = () => join(configDir(), "config.json");

async function stored(): Promise<Partial<Login>> {
  try {
    return JSON.parse(await readFile(configFile(), "utf8")) as Partial<Login>;
  } catch {
    return {};
  }
}

export async function loadLogin(): Promise<Login> {
  const saved = await stored();
  const url = env.url ?? saved.url;
  const key = env.apiKey ?? saved.key;
  if (!url || !key) {
    throw new CliError(
      "Not logged in. Run `tributary login --url <your Tributary URL>` with an API key from the workspace's API keys page.",
      EXIT.unauthorized,
    );
  }
  return { url, key };
}

export async function saveLogin(login: Login): Promise<string> {
  const dir = configDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = configFile();
  await writeFile(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600); // writeFile's mode applies only when it creates the file
  return file;
}

export async function forgetLogin(): Promise<void> {
  await rm(configFile(), { force: true });
}
