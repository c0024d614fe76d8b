// Where `tributary login` keeps server URLs and API keys: <config dir>/tributary/config.json, readable by the
// user alone (mode 600). One profile per workspace logged in to (test, production…), one of them current;
// `--workspace <profile or workspace slug>` picks another for one command. TRIBUTARY_URL and
// TRIBUTARY_API_KEY override the current profile, for CI jobs.
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { env } from "./env.ts";
import { CliError, EXIT } from "./exit-codes.ts";

export type Login = { url: string; key: string };
export type Profile = Login & { workspace?: { slug: string; name: string } };
type Config = { current?: string; profiles: Record<string, Profile> };

export function configDir(): string {
  if (env.configDir) return env.configDir;
  const base =
    env.xdgConfigHome ?? (process.platform === "win32" ? (env.appData ?? homedir()) : join(homedir(), ".config"));
  return join(base, "tributary");
}

export const configFile = () => join(configDir(), "config.json");

/** The saved profiles; a file from before profiles (one `url` and `key`) is the profile "default". */
export async function loadConfig(): Promise<Config> {
  let saved: Partial<Config> & Partial<Login>;
  try {
    saved = JSON.parse(await readFile(configFile(), "utf8")) as Partial<Config> & Partial<Login>;
  } catch {
    return { profiles: {} };
  }
  if (saved.profiles) return { ...(saved.current ? { current: saved.current } : {}), profiles: saved.profiles };
  if (saved.url && saved.key) return { current: "default", profiles: { default: { url: saved.url, key: saved.key } } };
  return { profiles: {} };
}

async function saveConfig(config: Config): Promise<string> {
  const dir = configDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = configFile();
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600); // writeFile's mode applies only when it creates the file
  return file;
}

/** The profile called `name`, or the one logged in to the workspace with that slug or name. */
export function findProfile(config: Config, name: string): [string, Profile] | undefined {
  const byName = config.profiles[name];
  if (byName) return [name, byName];
  return Object.entries(config.profiles).find(
    ([, profile]) => profile.workspace?.slug === name || profile.workspace?.name === name,
  );
}

/** The login for a command: the `--workspace` profile if one is named, else the environment, else the current profile. */
export async function loadLogin(workspace?: string): Promise<Login> {
  const config = await loadConfig();
  if (workspace) {
    const found = findProfile(config, workspace);
    if (!found) {
      const known = Object.keys(config.profiles);
      throw new CliError(
        `No saved login for the workspace "${workspace}"${known.length ? ` (saved: ${known.join(", ")})` : ""}. Run \`tributary login --url <URL> --profile ${workspace}\` with a key of that workspace.`,
        EXIT.unauthorized,
      );
    }
    return { url: found[1].url, key: found[1].key };
  }
  const current = config.current ? config.profiles[config.current] : undefined;
  const url = env.url ?? current?.url;
  const key = env.apiKey ?? current?.key;
  if (!url || !key) {
    throw new CliError(
      "Not logged in. Run `tributary login --url <your Tributary URL>` with an API key from the workspace's API keys page.",
      EXIT.unauthorized,
    );
  }
  return { url, key };
}

/** Saves a profile and makes it the current one. */
export async function saveProfile(name: string, profile: Profile): Promise<string> {
  const config = await loadConfig();
  return saveConfig({ current: name, profiles: { ...config.profiles, [name]: profile } });
}

export async function useProfile(name: string): Promise<string> {
  const config = await loadConfig();
  const found = findProfile(config, name);
  if (!found) throw new CliError(`There is no saved profile "${name}". See \`tributary profiles list\`.`, EXIT.usage);
  await saveConfig({ ...config, current: found[0] });
  return found[0];
}

/** Forgets one profile (by default the current one); the file goes with the last. */
export async function forgetLogin(name?: string): Promise<string | undefined> {
  const config = await loadConfig();
  const found = findProfile(config, name ?? config.current ?? "");
  if (!found) return undefined;
  const { [found[0]]: _forgotten, ...rest } = config.profiles;
  if (!Object.keys(rest).length) await rm(configFile(), { force: true });
  else await saveConfig({ ...(config.current === found[0] ? {} : { current: config.current }), profiles: rest });
  return found[0];
}
