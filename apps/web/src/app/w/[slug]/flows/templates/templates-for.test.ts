import { listTemplates } from "@tributary/core";
import { describe, expect, it } from "vitest";
import { templatesFor } from "./templates-for.ts";

describe("templatesFor", () => {
  const all = listTemplates({ search: "" });

  it("leaves the gallery's order alone outside a demo", () => {
    expect(templatesFor(all, { isDemo: false })).toEqual(all);
  });

  it("puts the templates that run as they are first in a demo, each group in the gallery's order", () => {
    const ordered = templatesFor(all, { isDemo: true });
    const runnable = all.filter((t) => t.needs.length === 0);
    expect(runnable.length).toBeGreaterThan(0);
    expect(ordered.slice(0, runnable.length)).toEqual(runnable);
    expect(ordered.slice(runnable.length)).toEqual(all.filter((t) => t.needs.length > 0));
  });
});
