import { percentileOfSorted } from './statistics.js';

const width = 800;
const height = 420;
const margin = { top: 76, right: 64, bottom: 52, left: 64 };
const plotWidth = width - margin.left - margin.right;
const plotHeight = height - margin.top - margin.bottom;
const binCount = 50;

/** 1, 2 or 5 times a power of ten: the smallest such step that is at least `rough`. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(rough, 1e-9)));
  return ([1, 2, 5, 10].find((factor) => factor * power >= rough) ?? 10) * power;
}

function escapeText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${escapeText(content)}</text>`;
}

/**
 * A histogram of redelivery lateness (bars, left axis: records per bin) with its cumulative
 * distribution (line, right axis), as SVG text. The x axis ends at the 99.9th percentile so that
 * a few outliers do not flatten the picture; later records are counted in the last bar.
 */
export function latenessChartSvg(
  sortedLateness: readonly number[],
  title: string,
  subtitleLines: readonly string[],
): string {
  if (sortedLateness.length === 0) {
    throw new RangeError('no lateness values to chart');
  }
  const lowest = Math.min(0, sortedLateness[0] as number);
  const upperRaw = Math.max(percentileOfSorted(sortedLateness, 0.999), lowest + 1);
  const binWidth = niceStep((upperRaw - lowest) / binCount);
  const bins = Math.ceil((upperRaw - lowest) / binWidth);
  const upper = lowest + bins * binWidth;
  const counts = new Array<number>(bins).fill(0);
  for (const value of sortedLateness) {
    const bin = Math.min(bins - 1, Math.floor((value - lowest) / binWidth));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  const tallest = Math.max(...counts);
  const countStep = niceStep(tallest / 5);
  const countTop = Math.ceil(tallest / countStep) * countStep;
  const x = (value: number): number =>
    margin.left + ((value - lowest) / (upper - lowest)) * plotWidth;
  const yCount = (count: number): number =>
    margin.top + plotHeight - (count / countTop) * plotHeight;
  const yShare = (share: number): number => margin.top + plotHeight - share * plotHeight;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    text(margin.left, 22, title, 'font-size="16" font-weight="bold"'),
    ...subtitleLines.map((line, index) => text(margin.left, 40 + index * 16, line, 'fill="#555"')),
  ];
  // Grid and count axis (left).
  for (let count = 0; count <= countTop; count += countStep) {
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${yCount(count).toFixed(1)}" y2="${yCount(count).toFixed(1)}" stroke="#eee"/>`,
      text(margin.left - 6, yCount(count) + 4, count.toLocaleString('en-US'), 'text-anchor="end"'),
    );
  }
  // Share axis (right).
  for (let share = 0; share <= 1.0001; share += 0.25) {
    parts.push(
      text(
        margin.left + plotWidth + 6,
        yShare(share) + 4,
        `${Math.round(share * 100)}%`,
        'fill="#c0392b"',
      ),
    );
  }
  // Bars.
  counts.forEach((count, bin) => {
    const left = x(lowest + bin * binWidth);
    const barWidth = Math.max(1, x(lowest + (bin + 1) * binWidth) - left - 1);
    parts.push(
      `<rect x="${left.toFixed(1)}" y="${yCount(count).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(margin.top + plotHeight - yCount(count)).toFixed(1)}" fill="#4a90d9"/>`,
    );
  });
  // Cumulative share at each bin's right edge.
  let cumulative = 0;
  const points = counts.map((count, bin) => {
    cumulative += count;
    const share = cumulative / sortedLateness.length;
    return `${x(lowest + (bin + 1) * binWidth).toFixed(1)},${yShare(share).toFixed(1)}`;
  });
  parts.push(
    `<polyline points="${x(lowest).toFixed(1)},${yShare(0).toFixed(1)} ${points.join(' ')}" fill="none" stroke="#c0392b" stroke-width="2"/>`,
  );
  // Percentile markers.
  for (const [label, fraction] of [
    ['p50', 0.5],
    ['p99', 0.99],
  ] as const) {
    const value = percentileOfSorted(sortedLateness, fraction);
    const position = x(Math.min(value, upper));
    parts.push(
      `<line x1="${position.toFixed(1)}" x2="${position.toFixed(1)}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#333" stroke-dasharray="4 3"/>`,
      text(position + 4, margin.top + 12, `${label} ${Math.round(value)} ms`),
    );
  }
  // Time axis.
  const tickStep = niceStep((upper - lowest) / 8);
  for (let tick = Math.ceil(lowest / tickStep) * tickStep; tick <= upper; tick += tickStep) {
    parts.push(
      `<line x1="${x(tick).toFixed(1)}" x2="${x(tick).toFixed(1)}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight + 4}" stroke="#333"/>`,
      text(
        x(tick),
        margin.top + plotHeight + 18,
        `${Number(tick.toFixed(3))}`,
        'text-anchor="middle"',
      ),
    );
  }
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight}" stroke="#333"/>`,
    text(
      margin.left + plotWidth / 2,
      height - 12,
      `redelivered at - due at (ms), ${binWidth} ms bins; the last bar holds everything later`,
      'text-anchor="middle"',
    ),
    text(
      16,
      margin.top + plotHeight / 2,
      'records',
      `text-anchor="middle" transform="rotate(-90 16 ${margin.top + plotHeight / 2})"`,
    ),
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}
