// `npm start`: install what is missing, apply migrations, build, then run the web app and one worker.
import { spawn } from "node:child_process";
import { ensureProcessBundles, ensureWebBuild, PROCESS_BUNDLES } from "./lib/build.ts";
import { PROCESS_NODE_FLAGS } from "./lib/node-flags.ts";
import { prepare } from "./lib/prepare.ts";
import { ROOT, run, step } from "./lib/run.ts";

try {
  await prepare();
  step("Applying database migrations…");
  run("npx", ["prisma", "migrate", "deploy"]);
  ensureWebBuild();
  await ensureProcessBundles();
} catch (error) {
  console.error(`\n\x1b[31m✖\x1b[0m ${(error as Error).message}`);
  process.exit(1);
}

process.env.NODE_ENV = "production";
const children = Object.entries(PROCESS_BUNDLES).map(([name, { bundle }]) => {
  const child = spawn(process.execPath, [...PROCESS_NODE_FLAGS, bundle], { cwd: ROOT, stdio: "inherit" });
  child.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`${name} exited (${signal ?? code}); stopping.`);
    stop(code ?? 1);
  });
  return child;
});

let stopping = false;
function stop(code: number) {
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 15_000).unref();
  void Promise.all(children.map((child) => new Promise((resolve) => child.once("exit", resolve)))).then(() =>
    process.exit(code),
  );
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
