// `npm run build`: builds the web app and the CLI's bundle (the worker runs its TypeScript directly on Node 24).
import { ensureCliBuild, ensureWebBuild } from "./lib/build.ts";
import { ensureDependencies, ensurePrismaClient } from "./lib/install.ts";
import { DEFAULT_DATABASE_URL } from "./lib/prepare.ts";

ensureDependencies();
ensurePrismaClient({ databaseUrl: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL });
ensureWebBuild();
ensureCliBuild();
