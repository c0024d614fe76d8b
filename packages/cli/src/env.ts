// The environment the CLI reads, in one place.
export const env = {
  /** Override the saved login (for CI jobs). */
  url: process.env.TRIBUTARY_URL || undefined,
  apiKey: process.env.TRIBUTARY_API_KEY || undefined,
  /** Where the login is kept, instead of the user's config dir. */
  configDir: process.env.TRIBUTARY_CONFIG_DIR || undefined,
  xdgConfigHome: process.env.XDG_CONFIG_HOME || undefined,
  appData: process.env.APPDATA || undefined,
};
