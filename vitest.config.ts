import { defineConfig } from "vitest/config";

// Three projects, one command (npm test): fast unit tests beside the code, integration tests against the real
// Postgres and Redis (each file in its own database and key prefix), and browser e2e against a built app.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/**/*.test.ts", "apps/**/*.test.ts", "scripts/**/*.test.ts", "test/security/**/*.test.ts"],
          exclude: ["**/*.integration.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: [
            "packages/**/*.integration.test.ts",
            "apps/**/*.integration.test.ts",
            "test/integration/**/*.test.ts",
          ],
          exclude: ["**/node_modules/**"],
          globalSetup: ["test/support/global-setup.ts"],
          setupFiles: ["test/support/process-cleanup.ts"],
          // Generous for a busy 2-core CI machine, where starting a worker process alone can take a minute
          // (worker-process.ts waits up to 90 s): a slow start must not fail a test that is otherwise right.
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.e2e.test.ts"],
          globalSetup: ["test/support/global-setup.ts", "test/support/e2e-setup.ts"],
          setupFiles: ["test/support/process-cleanup.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // One app serves every browser test; files run one after another.
          fileParallelism: false,
        },
      },
    ],
  },
});
