// Vitest global setup of the integration and e2e projects: one migrated template database for the whole run,
// and the web app and the web and worker bundles the tests' processes run, built once before test files start
// them in parallel (a build in one file would pull the web app from under another file's running one).
import type { TestProject } from "vitest/node";
import { ensureProcessBundles, ensureWebBuild } from "../../scripts/lib/build.ts";
import { dropStaleTestDatabases, ensureTemplateDatabase } from "./database.ts";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  ensureWebBuild();
  await ensureProcessBundles();
  await dropStaleTestDatabases();
  project.provide("templateDatabase", await ensureTemplateDatabase());
}
