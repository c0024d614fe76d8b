// Vitest global setup of the e2e project, after global-setup.ts: builds the CLI if needed, then runs the app on a
// fresh database.
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureCliBuild } from "../../scripts/lib/build.ts";
import { startApp } from "./app-process.ts";
import { createTestDatabase, ensureTemplateDatabase } from "./database.ts";
import { freePortRange } from "./free-port.ts";
import { deleteKeysWithPrefix } from "./redis.ts";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    e2eDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  ensureCliBuild();
  const database = await createTestDatabase({ template: await ensureTemplateDatabase() });
  const app = await startApp({
    databaseUrl: database.url,
    logDir: join(resolve(import.meta.dirname, "../.."), "test-results/e2e-logs"),
    // Listener triggers (HL7 MLLP) get ports from a free range on loopback. Every browser test signs people up
    // from 127.0.0.1: far more accounts an hour than one address of the public may make.
    env: {
      LISTENER_PORTS: (await freePortRange(5)).text,
      LISTENER_HOST: "127.0.0.1",
      SIGN_UPS_PER_IP_HOUR: "1000",
    },
  });
  project.provide("baseUrl", app.baseUrl);
  project.provide("e2eDatabaseUrl", database.url);
  return async () => {
    await app.stop();
    await database.drop();
    await deleteKeysWithPrefix(app.redisPrefix);
  };
}
