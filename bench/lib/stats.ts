/** The statistics every benchmark reports: medians of repeats, percentiles of samples. */

/** The p-th percentile (0-100) by the nearest-rank method; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new Error(`Not a percentile: ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs `measure` `repeats` times in turn and returns every figure it gave. */
export async function repeat<T>(repeats: number, measure: (index: number) => Promise<T>): Promise<T[]> {
  const figures: T[] = [];
  for (let index = 0; index < repeats; index += 1) figures.push(await measure(index));
  return figures;
}

export const now = () => performance.timeOrigin + performance.now();
