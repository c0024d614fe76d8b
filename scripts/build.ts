// `npm run build`: builds the web app, the web and worker processes' bundles and the CLI's bundle.
import { ensureCliBuild, ensureProcessBundles, ensureWebBuild } from "./lib/build.ts";
import { ensureDependencies, ensurePrismaClient } from "./lib/install.ts";
import { DEFAULT_DATABASE_URL } from "./lib/prepare.ts";

ensureDependencies();
ensurePrismaClient({ databaseUrl: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL });
ensureWebBuild();
await ensureProcessBundles();
ensureCliBuild();
