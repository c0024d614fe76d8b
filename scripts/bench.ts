// `npm run bench`: every benchmark in test/bench, one after another. Each prints its figures beside a
// baseline measured in the same run, so a busy machine shows as a ratio, not as a false alarm.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { prepare } from "./lib/prepare.ts";
import { ROOT, run, step } from "./lib/run.ts";

await prepare();
const only = process.argv[2];
for (const file of readdirSync(join(ROOT, "test/bench"))
  .filter((f) => f.endsWith(".bench.ts"))
  .sort()) {
  if (only && !file.includes(only)) continue;
  step(`Benchmark: ${file}`);
  run(process.execPath, [join("test/bench", file)]);
}
