import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { can } from "./permission-matrix.ts";
import { renderPermissionsDoc } from "./permissions-doc.ts";

describe("permissions", () => {
  it("docs/permissions.md is the rendering of the matrix in code (run `npm run docs` after changing it)", () => {
    const onDisk = readFileSync(new URL("../../../../docs/permissions.md", import.meta.url), "utf8");
    expect(onDisk).toBe(renderPermissionsDoc());
  });

  it("gives owners everything, viewers no management", () => {
    expect(can("owner", "workspace.delete")).toBe(true);
    expect(can("admin", "workspace.delete")).toBe(false);
    expect(can("admin", "members.manage")).toBe(true);
    expect(can("editor", "members.manage")).toBe(false);
    expect(can("viewer", "members.read")).toBe(true);
    expect(can("viewer", "audit.read")).toBe(false);
  });
});
