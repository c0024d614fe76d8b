import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { STEP_DEFINITIONS } from "../catalog.ts";
import { renderConnectorsDoc } from "./connectors-doc.ts";

describe("docs/connectors.md", () => {
  it("is the rendering of the connector definitions (run `npm run docs` after changing them)", () => {
    const onDisk = readFileSync(new URL("../../../../docs/connectors.md", import.meta.url), "utf8");
    expect(onDisk).toBe(renderConnectorsDoc());
  });

  it("shows for every step an example whose config is valid for it", () => {
    for (const step of STEP_DEFINITIONS.values()) {
      const shape = (step.config as { shape?: object }).shape ?? {};
      const withConnection =
        "connectionId" in shape
          ? { connectionId: "0196f6c2-8a2b-7c3d-9e4f-5a6b7c8d9e0f", ...step.example.config }
          : step.example.config;
      const parsed = step.config.safeParse(withConnection);
      expect(parsed.success, `${step.type}: ${parsed.error?.message}`).toBe(true);
    }
  });
});
