import { BREAKDOWN_KINDS, type Breakdown } from './breakdown.js';

/** The text of a breakdown: one line per kind (ms per forward, percent of the profiled forward, kernel runs), then what `other` holds. */
export function breakdownReport(b: Breakdown): string {
  const lines = [
    `time by kind of block (tf.profile over ${b.forwards} forward${b.forwards === 1 ? '' : 's'}: ${b.forwardMs.toFixed(1)} ms a profiled forward, ${b.kernelMs.toFixed(1)} ms in kernels; ms per forward, % of it, kernel runs)`,
    ...BREAKDOWN_KINDS.map((k) => `  ${k.padEnd(16)} ${b.ms[k].toFixed(1).padStart(8)} ms ${b.percent[k].toFixed(1).padStart(5)}%${k === 'outside kernels' ? '' : `  ${String(Math.round(b.counts[k])).padStart(4)}`}`),
  ];
  const other = Object.entries(b.other);
  if (other.length) lines.push(`  other: ${other.map(([n, v]) => `${n} ${v.toFixed(1)}`).join(', ')}`);
  if (b.unknownKernels.length) lines.push(`  unknown kernels (counted as other): ${b.unknownKernels.join(', ')}`);
  return lines.join('\n');
}

/** The breakdown's Markdown column headers (`conv %`, ...), {@link BREAKDOWN_KINDS} in order. */
export const BREAKDOWN_COLUMNS: readonly string[] = BREAKDOWN_KINDS.map((k) => `${k} %`);

/** A result's breakdown cells (percent of the profiled forward, one decimal; `-` without a breakdown). */
export function breakdownCells(b: Breakdown | undefined): string[] {
  return BREAKDOWN_KINDS.map((k) => (b ? b.percent[k].toFixed(1) : '-'));
}

/** A breakdown as JSON (milliseconds and percents rounded to 0.01). */
export function breakdownJson(b: Breakdown): Record<string, unknown> {
  const round = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v.toFixed(2))]));
  return {
    forwards: b.forwards,
    forwardMs: Number(b.forwardMs.toFixed(2)),
    kernelMs: Number(b.kernelMs.toFixed(2)),
    ms: round(b.ms),
    percent: round(b.percent),
    counts: b.counts,
    other: round(b.other),
    unknownKernels: b.unknownKernels,
  };
}
