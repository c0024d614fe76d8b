import { describe, expect, it } from "vitest";
import { uuidv7, uuidv7Floor } from "./sql.ts";

describe("uuidv7", () => {
  it("is a version 7, variant 1 UUID whose first 48 bits are the time", () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const millis = Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16);
    expect(millis).toBeGreaterThanOrEqual(before);
    expect(millis).toBeLessThanOrEqual(after);
  });

  it("sorts after the floor of its moment and before the floor of a later one, and never repeats", () => {
    const now = new Date();
    const ids = Array.from({ length: 1000 }, () => uuidv7());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id >= uuidv7Floor(new Date(now.getTime() - 1))).toBe(true);
      expect(id < uuidv7Floor(new Date(now.getTime() + 60_000))).toBe(true);
    }
  });

  it("counts up within a millisecond: ids sort in the order they were made", () => {
    const ids = Array.from({ length: 10_000 }, () => uuidv7());
    expect(ids.toSorted()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // A burst borrows at most a few milliseconds ahead of the clock.
    const last = Number.parseInt((ids.at(-1) as string).replaceAll("-", "").slice(0, 12), 16);
    expect(last).toBeLessThanOrEqual(Date.now() + 5);
  });
});
