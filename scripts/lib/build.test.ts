import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROCESS_BUNDLES } from "./build.ts";
import { ROOT } from "./run.ts";

const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

describe("what the build makes and the deployments run", () => {
  it("package.json's start scripts run the bundles `npm run build` makes (docker-compose starts them)", () => {
    const { scripts } = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    expect(scripts["start:web"]).toMatch(new RegExp(` ${PROCESS_BUNDLES.web.bundle}$`));
    expect(scripts["start:worker"]).toMatch(new RegExp(` ${PROCESS_BUNDLES.worker.bundle}$`));
  });

  it("the Dockerfile copies every workspace's package.json before it installs, so each one is linked", () => {
    const dockerfile = read("Dockerfile");
    const install = dockerfile.indexOf("RUN npm install");
    expect(install).toBeGreaterThan(0);
    const workspaces = ["apps", "packages"].flatMap((dir) =>
      readdirSync(join(ROOT, dir)).map((name) => `${dir}/${name}`),
    );
    for (const workspace of workspaces) {
      const copy = dockerfile.indexOf(`COPY ${workspace}/package.json ${workspace}/`);
      expect(copy, `${workspace}/package.json`).toBeGreaterThan(0);
      expect(copy, `${workspace}/package.json`).toBeLessThan(install);
    }
  });
});
