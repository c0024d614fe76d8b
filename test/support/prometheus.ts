// Scraping a /metrics endpoint and reading it with a real Prometheus text-format parser.
import parsePrometheusTextFormat from "parse-prometheus-text-format";

export type MetricFamily = {
  name: string;
  help: string;
  type: string;
  metrics: {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }[];
};

/** GETs /metrics with the token (or none) and parses a 200's body; other answers come back unparsed. */
export async function scrape(
  url: string,
  token?: string,
): Promise<{ status: number; text: string; families: MetricFamily[] }> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  return {
    status: response.status,
    text,
    families: response.status === 200 ? (parsePrometheusTextFormat(text) as MetricFamily[]) : [],
  };
}

/** The samples of a metric whose labels include `labels`. */
export function samples(families: MetricFamily[], name: string, labels: Record<string, string> = {}) {
  const family = families.find((f) => f.name === name);
  if (!family) throw new Error(`No metric ${name} in the scrape (it has ${families.map((f) => f.name).join(", ")}).`);
  return family.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
}

/** The one value of a counter or gauge with these labels (0 when it has no such sample yet). */
export function sampleValue(families: MetricFamily[], name: string, labels: Record<string, string> = {}): number {
  return samples(families, name, labels).reduce((sum, m) => sum + Number(m.value ?? 0), 0);
}

const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/**
 * One series of a histogram: its buckets (by `le`), count and sum. parse-prometheus-text-format reads a histogram
 * only when its series carry no labels besides `le` (it drops the count and sum of labelled ones, and merges
 * their buckets), so the series' lines are taken out of the text with its labels removed, then parsed.
 */
export function histogramSeries(
  text: string,
  name: string,
  labels: Record<string, string>,
): { buckets: Record<string, number>; count: number; sum: number } | null {
  const lines: string[] = [`# TYPE ${name} histogram`];
  for (const line of text.split("\n")) {
    const match = line.match(/^(\w+)\{(.*)\}\s+(\S+)$/);
    if (!match || ![`${name}_bucket`, `${name}_sum`, `${name}_count`].includes(match[1] ?? "")) continue;
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(LABEL)].map((m) => [m[1], m[2]]));
    if (!Object.entries(labels).every(([k, v]) => found[k] === v)) continue;
    lines.push(`${match[1]}${found.le ? `{le="${found.le}"}` : ""} ${match[3]}`);
  }
  if (lines.length === 1) return null;
  const [family] = parsePrometheusTextFormat(`${lines.join("\n")}\n`) as MetricFamily[];
  const series = family?.metrics[0];
  if (!series) return null;
  return {
    buckets: Object.fromEntries(Object.entries(series.buckets ?? {}).map(([le, n]) => [le, Number(n)])),
    count: Number(series.count),
    sum: Number(series.sum),
  };
}
