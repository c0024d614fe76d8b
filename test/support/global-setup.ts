// Vitest global setup of the integration project: one migrated template database for the whole run.
import type { TestProject } from "vitest/node";
import { dropStaleTestDatabases, ensureTemplateDatabase } from "./database.ts";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  await dropStaleTestDatabases();
  project.provide("templateDatabase", await ensureTemplateDatabase());
}
