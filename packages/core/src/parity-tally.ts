/** A parity tolerance: pass when |y - ref| <= atol + rtol * |ref|. */
export interface Tolerance {
  /** Absolute tolerance. */
  atol: number;
  /** Tolerance relative to |ref|. */
  rtol: number;
}

/**
 * Running maximum of errors for a parity check: the largest |y - ref|, the largest |y - ref| / (atol + rtol *
 * |ref|) and the flat index where that ratio is worst (first occurrence); non-finite errors fail.
 */
export class ErrorTally {
  /** Largest |y - ref| seen. */
  maxAbs = 0;
  /** Largest |y - ref| / (atol + rtol * |ref|) seen. */
  worst = 0;
  /** Flat index of the worst ratio. */
  worstAt = 0;
  /** The compared value at the worst ratio. */
  worstValue = 0;
  /** The reference value at the worst ratio. */
  worstReference = 0;
  /** Whether a NaN or infinite error was seen. */
  nonFinite = false;
  constructor(
    /** The tolerance ratios are taken against. */
    readonly tol: Tolerance,
  ) {}

  /** Whether y matches ref within the tolerance. */
  within(y: number, ref: number): boolean {
    return Math.abs(y - ref) <= this.tol.atol + this.tol.rtol * Math.abs(ref);
  }

  /** Records y against ref at flat index `at`. */
  add(y: number, ref: number, at: number): void {
    const d = Math.abs(y - ref);
    this.record(d, d / (this.tol.atol + this.tol.rtol * Math.abs(ref)), at, y, ref);
  }

  /** Records a mismatch that no tolerance covers (a wrong class index): an infinite ratio at `at`. */
  fail(y: number, ref: number, at: number): void {
    this.record(Math.abs(y - ref), Infinity, at, y, ref);
  }

  private record(d: number, ratio: number, at: number, y: number, ref: number): void {
    if (!Number.isFinite(d)) this.nonFinite = true;
    if (d > this.maxAbs || Number.isNaN(d)) this.maxAbs = Number.isNaN(d) ? Infinity : d;
    if (ratio > this.worst || (Number.isNaN(ratio) && this.worst !== Infinity)) {
      this.worst = Number.isNaN(ratio) ? Infinity : ratio;
      this.worstAt = at;
      this.worstValue = y;
      this.worstReference = ref;
    }
  }
}

/** Result of comparing an output with its reference by the parity tolerance. */
export interface Comparison {
  /** Whether every element is within tolerance. */
  pass: boolean;
  /** Largest |y - ref| (detection boxes: in grid cells). */
  maxAbsError: number;
  /** Largest |y - ref| / (atol + rtol*|ref|); <= 1 passes. */
  worstRatio: number;
  /** Number of elements compared. */
  elements: number;
  /** Index of the element with the worst ratio, in the compared tensor's (PyTorch) shape. */
  worstIndex: number[];
  /** The value computed there. */
  worstValue: number;
  /** The reference value there. */
  worstReference: number;
  /** What was compared (`output`, `output_raw`, ...), with the rule where it is not elementwise. */
  what: string;
  /** Checks made of several comparisons (end2end detectors: output_raw, then the top-k): each one. */
  parts?: Comparison[];
}

/** The multi-index of flat index `i` in `shape` (row-major). */
export function unravelIndex(i: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return out;
}

/** A {@link Comparison} from a tally over a tensor of `shape`. */
export function tallyComparison(t: ErrorTally, shape: readonly number[], elements: number, what: string): Comparison {
  return {
    pass: !t.nonFinite && t.worst <= 1,
    maxAbsError: t.nonFinite ? Infinity : t.maxAbs,
    worstRatio: t.worst,
    elements,
    worstIndex: unravelIndex(t.worstAt, shape),
    worstValue: t.worstValue,
    worstReference: t.worstReference,
    what,
  };
}

/** Several comparisons as one: passes when all pass; the worst ratio and index are the worst part's. */
export function combineComparisons(parts: Comparison[], what: string): Comparison {
  const worst = parts.reduce((a, b) => (b.worstRatio > a.worstRatio ? b : a));
  return {
    ...worst,
    pass: parts.every((p) => p.pass),
    maxAbsError: Math.max(...parts.map((p) => p.maxAbsError)),
    elements: parts.reduce((n, p) => n + p.elements, 0),
    what,
    parts,
  };
}

/** One line per comparison: what, max error, worst ratio and where it is, PASS/FAIL. */
export function describeComparison(c: Comparison): string {
  const one = (x: Comparison) =>
    `${x.what}: ${x.elements} elements, max abs error ${x.maxAbsError.toExponential(3)}, worst |err|/tol ${x.worstRatio.toFixed(3)} at [${x.worstIndex.join(', ')}] (got ${x.worstValue}, reference ${x.worstReference}) ${x.pass ? 'PASS' : 'FAIL'}`;
  return (c.parts ?? [c]).map(one).join('\n');
}

