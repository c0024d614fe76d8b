// Bundles the CLI into one JavaScript file, dist/tributary.js, with commander inside it: the packed package then
// installs with `npm install -g` without the registry, and runs on Node 22.12 or later (commander's floor) with
// no type stripping.
import { chmodSync } from "node:fs";
import { build } from "esbuild";

const outfile = new URL("../dist/tributary.js", import.meta.url).pathname;

await build({
  entryPoints: [new URL("../src/main.ts", import.meta.url).pathname],
  outfile,
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  // commander is CommonJS and requires Node's modules; an ES module bundle needs a real require for that.
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire } from "node:module";\nconst require = createRequire(import.meta.url);',
  },
  legalComments: "inline",
  logLevel: "warning",
});
// Runnable as it is (`npx tributary` in the repository links to it), not only once npm installs it.
chmodSync(outfile, 0o755);
