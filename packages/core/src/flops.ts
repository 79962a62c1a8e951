/**
 * FLOP counting by DESIGN.md's rules. Layers and forward functions report multiply-accumulates (MACs) of
 * every op applied to activations through {@link countMacs}; GFLOPs = 2 x MACs / 1e9.
 */
let active: { macs: number; shapeOnly: boolean } | null = null;

/** Adds `macs` multiply-accumulates to the counter when one is active (a no-op otherwise). */
export function countMacs(macs: number): void {
  if (active) active.macs += macs;
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
} {
  const outer = active;
  const counter = { macs: 0, shapeOnly: options.shapeOnly ?? false };
  active = counter;
  try {
    const result = fn();
    return { result, macs: counter.macs };
  } finally {
    active = outer;
  }
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
