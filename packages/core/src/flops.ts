/**
 * FLOP counting by one rule for every op applied to activations (docs/design.md, "Counting FLOPs"). Layers and
 * forward functions report multiply-accumulates (MACs) through {@link countMacs}; GFLOPs = 2 x MACs / 1e9.
 */

/**
 * The kind of op a count is for: `conv` (any convolution, out_numel * (cin/g) * kh * kw), `matmul` (linear
 * layers and matrix products, out_numel * inner), `other` (normalisation, pooling, upsampling). The kinds let a
 * test compare the convolutions and matrix products with the kernels tfjs actually ran.
 */
export type MacKind = 'conv' | 'matmul' | 'other';

/** MACs per {@link MacKind}. */
export type MacsByKind = Record<MacKind, number>;

let active: { macs: number; byKind: MacsByKind; shapeOnly: boolean } | null = null;

/** Adds `macs` multiply-accumulates of an op of `kind` to the counter when one is active (a no-op otherwise). */
export function countMacs(macs: number, kind: MacKind = 'other'): void {
  if (!active) return;
  active.macs += macs;
  active.byKind[kind] += macs;
}

/** True while a {@link countingMacs} call is running (so layers can skip the bookkeeping otherwise). */
export function isCountingMacs(): boolean {
  return active !== null;
}

/**
 * True while counting with `shapeOnly`: core's convolution engine then returns zeros of the right shape
 * instead of computing (costs do not depend on values), so counting a large model is cheap.
 */
export function isShapeOnly(): boolean {
  return active?.shapeOnly ?? false;
}

/** Runs `fn` with a fresh counter and returns its result with the MACs it reported. */
export function countingMacs<T>(
  fn: () => T,
  options: {
    /** Let core's conv engine return zeros instead of computing (only shapes are needed to count). */
    shapeOnly?: boolean;
  } = {},
): {
  /** What `fn` returned. */
  result: T;
  /** Multiply-accumulates reported while `fn` ran. */
  macs: number;
  /** The same MACs split by the kind of op that reported them. */
  byKind: MacsByKind;
} {
  const outer = active;
  const counter = { macs: 0, byKind: { conv: 0, matmul: 0, other: 0 }, shapeOnly: options.shapeOnly ?? false };
  active = counter;
  try {
    const result = fn();
    return { result, macs: counter.macs, byKind: counter.byKind };
  } finally {
    active = outer;
  }
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
