// Vitest global setup of the integration and e2e projects: one migrated template database for the whole run,
// and the web and worker bundles the tests' processes run, built once before test files start them in parallel.
import type { TestProject } from "vitest/node";
import { ensureProcessBundles } from "../../scripts/lib/build.ts";
import { dropStaleTestDatabases, ensureTemplateDatabase } from "./database.ts";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  await ensureProcessBundles();
  await dropStaleTestDatabases();
  project.provide("templateDatabase", await ensureTemplateDatabase());
}
