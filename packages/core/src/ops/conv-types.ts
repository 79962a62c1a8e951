/**
 * How a grouped convolution is computed. `dense`: groups == 1 (tf.conv2d). `depthwise`: groups == C_in
 * (tf.depthwiseConv2d with multiplier C_out/C_in). `split`: per-group conv2d then concat (few groups).
 * `grouped-sum`: depthwise with multiplier C_out/groups, then a sum over each group's inputs (many groups).
 * The strategy fixes the kernel's internal layout (see `kernelLayout`); every strategy gives PyTorch's result
 * for any groups, stride, dilation and padding.
 */
export type ConvStrategy = 'dense' | 'depthwise' | 'split' | 'grouped-sum';

/**
 * How stride > 1 together with dilation > 1 is computed (tfjs' conv2d rejects the combination):
 * - `subsample`: the dilated convolution at stride 1, then every stride-th row and column (`subsample`).
 * - `polyphase`: the zero-padded input split into its stride x stride phases; the kernel taps that read one
 *   phase form a dilated sub-kernel (`phaseTaps`), so the result is a sum of stride-1 convolutions with
 *   dilation d/gcd(s,d) on the phases. Computes only the kept outputs: one convolution on a 1/s^2-size input
 *   when s divides d (and the padding), up to s^2 smaller ones when it does not.
 * - `native`: tf.depthwiseConv2d with both (wasm's XNNPACK kernel accepts it and is exact; other backends
 *   reject it). Only for the `depthwise` strategy.
 */
export type StridedDilationMethod = 'subsample' | 'polyphase' | 'native';

/**
 * How a stride-1 convolution with dilation > 1 is computed:
 * - `native`: tfjs' dilated conv2d / depthwiseConv2d (fast, but tfjs 4.22 has no gradient for dilation > 1);
 * - `space-to-batch`: TensorFlow's atrous conv: the d x d phases of the input as a batch (spaceToBatchND), an
 *   undilated 'valid' conv, the outputs interleaved back (batchToSpaceND); exact, and differentiable on every
 *   backend with conv gradients (3-30x slower than the dilated kernel, measured);
 * - `auto` (default): space-to-batch while a gradient tape is recording, native otherwise.
 */
export type DilationMode = 'auto' | 'native' | 'space-to-batch';

/** Geometry of a PyTorch Conv2d (symmetric zero padding). */
export interface ConvGeometry {
  /** Stride (both axes). */
  stride: number;
  /** Zero padding on every side. */
  padding: number;
  /** Dilation (both axes). */
  dilation: number;
  /** Groups (1 = dense, cin = depthwise). */
  groups: number;
}

/** Options of `conv2dExact` and `conv2dTorch`: how the engine computes dilation. */
export interface ConvRunOptions {
  /** Force the method for stride > 1 with dilation > 1 (default: `pickStridedDilationMethod`). */
  stridedDilation?: StridedDilationMethod;
  /** How dilated stride-1 convolutions run (default `auto`: differentiable while a gradient tape records). */
  dilationMode?: DilationMode;
}

/** PyTorch's output size of a convolution along one axis (`k`: the kernel's size along that axis). */
export function convOutSize(size: number, k: number, g: ConvGeometry): number {
  return Math.floor((size + 2 * g.padding - g.dilation * (k - 1) - 1) / g.stride) + 1;
}
