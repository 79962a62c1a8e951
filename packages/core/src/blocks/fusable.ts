/**
 * A module that can fold its structure for inference (Conv+BN folding, re-parameterised branches).
 * `fuse()` must keep eval-mode outputs unchanged (within float rounding) and never add parameters.
 */
export interface Fusable {
  fuse(): void;
}

/** True when `m` implements {@link Fusable}. */
export function isFusable(m: unknown): m is Fusable {
  return typeof (m as Fusable | null)?.fuse === 'function';
}
