// `npm run db:migrate`: applies the committed migrations to DATABASE_URL (what docker-compose's migrate step runs).
import { prepare } from "./lib/prepare.ts";
import { run, step } from "./lib/run.ts";

try {
  await prepare();
  step("Applying database migrations…");
  run("npx", ["prisma", "migrate", "deploy"]);
} catch (error) {
  console.error(`\n\x1b[31m✖\x1b[0m ${(error as Error).message}`);
  process.exit(1);
}
