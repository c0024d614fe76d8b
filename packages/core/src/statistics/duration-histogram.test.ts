import { describe, expect, it } from "vitest";
import { HISTOGRAM_BUCKETS, histogramBucket, histogramQuantile } from "./duration-histogram.ts";

function histogramOf(durations: number[]): number[] {
  const histogram = new Array<number>(HISTOGRAM_BUCKETS).fill(0);
  for (const d of durations) histogram[histogramBucket(d)] = (histogram[histogramBucket(d)] ?? 0) + 1;
  return histogram;
}

describe("duration histogram", () => {
  it("puts 0 ms and 1 ms in the first bucket and very long durations in the last", () => {
    expect(histogramBucket(0)).toBe(0);
    expect(histogramBucket(1)).toBe(0);
    expect(histogramBucket(100)).toBe(20);
    expect(histogramBucket(10 * 24 * 3_600_000)).toBe(HISTOGRAM_BUCKETS - 1);
  });

  it("reads a p95 within 12.5 % of the exact one", () => {
    const durations = Array.from({ length: 1000 }, (_, i) => 10 + i * 7);
    const exact = [...durations].sort((a, b) => a - b)[949] ?? 0;
    const p95 = histogramQuantile({ histogram: histogramOf(durations), q: 0.95, min: 10, max: 7003 });
    expect(p95).not.toBeNull();
    expect(Math.abs((p95 ?? 0) - exact) / exact).toBeLessThan(0.125);
  });

  it("stays within the observed range and is null for no runs", () => {
    expect(histogramQuantile({ histogram: histogramOf([500]), q: 0.95, min: 500, max: 500 })).toBe(500);
    expect(histogramQuantile({ histogram: histogramOf([]), q: 0.95, min: 0, max: 0 })).toBeNull();
  });
});
