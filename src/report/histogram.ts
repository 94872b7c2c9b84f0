/** Length histograms with round bin widths, so bins read as "0–9 words", "10–19 words". */

export interface Bin {
  from: number;
  /** Exclusive upper bound. The last bin is open-ended when values were clipped into it. */
  to: number;
  count: number;
}

export interface Histogram {
  bins: Bin[];
  total: number;
  median: number;
  /** The last bin also holds every value ≥ its `from` (the long tail is clipped, not dropped). */
  clipped: boolean;
}

const NICE_WIDTHS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000];

export function histogram(values: readonly number[], maxBins = 20): Histogram {
  if (values.length === 0) return { bins: [], total: 0, median: 0, clipped: false };
  const sorted = Float64Array.from(values).sort();
  // Clip at the 99th percentile so one 5,000-word output does not squash every other bar.
  const high = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
  const width = NICE_WIDTHS.find((w) => high / w < maxBins) ?? Math.ceil(high / maxBins);
  const binCount = Math.floor(high / width) + 1;
  const bins: Bin[] = Array.from({ length: binCount }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: 0 }));
  let clipped = false;
  for (const value of values) {
    const index = Math.floor(value / width);
    if (index >= binCount) clipped = true;
    bins[Math.min(index, binCount - 1)]!.count++;
  }
  return { bins, total: values.length, median: sorted[Math.floor((sorted.length - 1) / 2)]!, clipped };
}
