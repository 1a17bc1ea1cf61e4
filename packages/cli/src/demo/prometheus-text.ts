/** One sample of Prometheus's text format: `name{label="value",...} number`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const samplePattern = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the samples of a /metrics page; comments and malformed lines are skipped. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = samplePattern.exec(line);
    if (match === null || line.startsWith('#')) {
      continue;
    }
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(labelPattern)) {
      labels[name!] = value!.replace(/\\(.)/g, (_, escaped: string) =>
        escaped === 'n' ? '\n' : escaped,
      );
    }
    const value = Number(match[3]);
    if (!Number.isNaN(value)) {
      samples.push({ name: match[1]!, labels, value });
    }
  }
  return samples;
}

/** Sum of a metric's samples whose labels include `where`. */
export function total(
  samples: readonly Sample[],
  name: string,
  where: Readonly<Record<string, string>> = {},
): number {
  return samples
    .filter(
      (sample) =>
        sample.name === name &&
        Object.entries(where).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

/**
 * A quantile estimated from a histogram's cumulative buckets (`<name>_bucket{le=...}`), as
 * PromQL's histogram_quantile does: linear within the bucket the rank falls in.
 */
export function histogramQuantile(
  samples: readonly Sample[],
  name: string,
  quantile: number,
): number | undefined {
  const buckets = new Map<number, number>();
  for (const sample of samples) {
    if (sample.name === `${name}_bucket` && sample.labels.le !== undefined) {
      const bound = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
      buckets.set(bound, (buckets.get(bound) ?? 0) + sample.value);
    }
  }
  const sorted = [...buckets].sort(([a], [b]) => a - b);
  const count = sorted.at(-1)?.[1] ?? 0;
  if (count === 0) {
    return undefined;
  }
  const rank = quantile * count;
  let previousBound = 0;
  let previousCount = 0;
  for (const [bound, cumulative] of sorted) {
    if (cumulative >= rank) {
      if (bound === Infinity) {
        return previousBound;
      }
      const inBucket = cumulative - previousCount;
      return inBucket === 0
        ? bound
        : previousBound + ((bound - previousBound) * (rank - previousCount)) / inBucket;
    }
    previousBound = bound;
    previousCount = cumulative;
  }
  return previousBound;
}
