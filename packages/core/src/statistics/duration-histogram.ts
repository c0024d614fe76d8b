// The duration histogram of the flow rollups: bucket i counts durations in [1.25^i, 1.25^(i+1)) ms (0 ms goes to
// bucket 0), 80 buckets, the last open-ended (from ≈ 15 h). A quantile read from it falls in the exact quantile's bucket: within 25 %
// of it at worst, usually far closer (interpolated within the bucket, and kept within the observed min and max).
export const HISTOGRAM_BUCKETS = 80;
export const HISTOGRAM_GROWTH = 1.25;

/** The bucket of a duration, as the rollup's SQL computes it. */
export function histogramBucket(durationMs: number): number {
  if (durationMs < HISTOGRAM_GROWTH) return 0;
  return Math.min(HISTOGRAM_BUCKETS - 1, Math.floor(Math.log(durationMs) / Math.log(HISTOGRAM_GROWTH)));
}

/**
 * The q-quantile (0..1) of the durations a histogram counts, interpolated inside its bucket and kept within the
 * observed min and max; null when it counts nothing.
 */
export function histogramQuantile({
  histogram,
  q,
  min,
  max,
}: {
  histogram: number[];
  q: number;
  min: number;
  max: number;
}): number | null {
  const total = histogram.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const n = histogram[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const low = i === 0 ? 0 : HISTOGRAM_GROWTH ** i;
      const high = HISTOGRAM_GROWTH ** (i + 1);
      const estimate = low + ((rank - seen) / n) * (high - low);
      return Math.round(Math.min(max, Math.max(min, estimate)));
    }
    seen += n;
  }
  return max;
}
