/**
 * A module that can fold its structure for inference (Conv+BN folding, re-parameterised branches).
 * `fuse()` must keep eval-mode outputs unchanged (within float rounding) and never add parameters.
 */
export interface Fusable {
  /** Folds the module in place for inference (eval outputs unchanged, parameters never grow). */
  fuse(): void;
}

/** True when `m` implements {@link Fusable}. */
export function isFusable(m: unknown): m is Fusable {
  return typeof (m as Fusable | null)?.fuse === 'function';
}

/**
 * A module with a training structure and an equivalent, cheaper inference structure (structural
 * re-parameterisation, e.g. RepGhost's BN branches folded into one depthwise conv). `switchToDeploy()` rebuilds
 * the module in place: eval-mode outputs stay the same (within float rounding) and parameters never grow.
 */
export interface Reparameterizable {
  /** Rebuilds the module in its inference structure, in place (eval outputs unchanged). */
  switchToDeploy(): void;
}

/** True when `m` implements {@link Reparameterizable}. */
export function isReparameterizable(m: unknown): m is Reparameterizable {
  return typeof (m as Reparameterizable | null)?.switchToDeploy === 'function';
}
