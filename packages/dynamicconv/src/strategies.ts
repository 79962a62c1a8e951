import * as tf from '@tensorflow/tfjs-core';
import { conv2dExact, conv2dTorch, convOutSize, pickConvStrategy, subsample, type ConvGeometry, type ConvStrategy } from '@plugconv/core';

/**
 * How a batch whose samples each have their own kernel is convolved (all give the same result):
 * - `per-sample`: mix each sample's kernel (routing @ experts), one convolution per sample, concat.
 * - `experts`: one convolution of the whole batch with every expert's kernel stacked (E x c2 outputs), then
 *   each sample's outputs mixed by its routing weights (a batched matmul). E times the convolution work, one call.
 * - `batch-grouped`: the batch folded into channels, (1, H, W, B*c1), and one grouped convolution with B*g
 *   groups (timm's own trick). A single depthwise call for depthwise experts; other groups go through core's
 *   grouped strategies.
 * - `batched-matmul`: 1x1 kernels without groups only: (B, H*W, c1) @ (B, c1, c2) in one batched matmul.
 */
export type DynamicConvStrategy = 'per-sample' | 'experts' | 'batch-grouped' | 'batched-matmul';

/** Every {@link DynamicConvStrategy}, for benchmarks and tests. */
export const DYNAMIC_CONV_STRATEGIES: readonly DynamicConvStrategy[] = ['per-sample', 'experts', 'batch-grouped', 'batched-matmul'];

/** The shape of a conditional convolution: channels, square kernel, geometry and number of experts. */
export interface CondConvShape {
  /** Input channels (c1). */
  cin: number;
  /** Output channels (c2). */
  cout: number;
  /** Kernel size (square). */
  k: number;
  /** Number of expert kernels (E). */
  experts: number;
  /** Stride, padding, dilation and groups. */
  geometry: ConvGeometry;
}

/** Elements of one expert's kernel: c2 * (c1/g) * k * k (PyTorch's flattened OIHW). */
export function kernelSize(s: CondConvShape): number {
  return s.cout * (s.cin / s.geometry.groups) * s.k * s.k;
}

/** Why `strategy` cannot run this shape, or null when it can. */
export function strategyUnsupported(strategy: DynamicConvStrategy, s: CondConvShape): string | null {
  if (strategy === 'batched-matmul' && (s.k !== 1 || s.geometry.groups !== 1)) {
    return `'batched-matmul' needs a 1x1 kernel without groups (k=${s.k}, groups=${s.geometry.groups})`;
  }
  return null;
}

/**
 * The strategy plugconv uses for a batch, from the wasm measurements in the package README: depthwise experts
 * (groups == c1) -> `batch-grouped` (one depthwise call for the whole batch, 1.4-3.3x faster from batch 4);
 * everything else -> `per-sample` (the nominal work; `experts` does E times the convolution and lost at every
 * measured size, `batched-matmul` lost to per-sample 1x1 convolutions). Batch 1 is a plain convolution either way.
 */
export function pickDynamicConvStrategy(s: CondConvShape, batch: number): DynamicConvStrategy {
  if (batch > 1 && s.geometry.groups === s.cin) return 'batch-grouped';
  return 'per-sample';
}

/**
 * Per-sample kernels (N, P) in PyTorch's flattened OIHW order -> (N, ...internal kernel) in the layout core's
 * conv engine expects for `conv` (see core's `kernelLayout`).
 */
function toInternalKernels(mixed: tf.Tensor2D, s: CondConvShape, conv: ConvStrategy): tf.Tensor {
  const n = mixed.shape[0];
  const { k, cin, cout } = s;
  const g = s.geometry.groups;
  const ipg = cin / g;
  switch (conv) {
    case 'dense':
    case 'split':
      return tf.transpose(tf.reshape(mixed, [n, cout, ipg, k, k]), [0, 3, 4, 2, 1]);
    case 'depthwise':
      return tf.transpose(tf.reshape(mixed, [n, cin, cout / cin, k, k]), [0, 3, 4, 1, 2]);
    case 'grouped-sum': {
      const opg = cout / g;
      const t = tf.transpose(tf.reshape(mixed, [n, g, opg, ipg, k, k]), [0, 4, 5, 1, 3, 2]);
      return tf.reshape(t, [n, k, k, cin, opg]);
    }
  }
}

/** Output size (height, width) of the convolution. */
export function outputSize(s: CondConvShape, h: number, w: number): [number, number] {
  return [convOutSize(h, s.k, s.geometry), convOutSize(w, s.k, s.geometry)];
}

/**
 * The samples of a batch as (1, H, W, C) tensors. wasm's slice kernel copies the whole input out of the heap for
 * every slice (B slices cost B times the batch); when no gradient is being recorded there (wasm has no conv
 * backprop anyway) the batch is read once and each sample uploaded instead.
 */
export function splitBatch(x: tf.Tensor4D): tf.Tensor4D[] {
  const [b, h, w, c] = x.shape;
  if (b === 1) return [x];
  if (tf.getBackend() !== 'wasm' || tf.engine().isTapeOn()) return tf.split(x, b, 0) as tf.Tensor4D[];
  const data = x.dataSync() as Float32Array;
  const n = h * w * c;
  return Array.from({ length: b }, (_, i) => tf.tensor4d(data.subarray(i * n, (i + 1) * n), [1, h, w, c] as [number, number, number, number]));
}

/** One convolution per sample with its own mixed kernel. */
function perSample(x: tf.Tensor4D, routing: tf.Tensor2D, weight: tf.Tensor2D, s: CondConvShape): tf.Tensor4D {
  const b = x.shape[0];
  const conv = pickConvStrategy(s.cin, s.geometry.groups);
  const kernelOf = (r: tf.Tensor2D): tf.Tensor4D => {
    const k = toInternalKernels(tf.matMul(r, weight), s, conv);
    return tf.reshape(k, k.shape.slice(1) as [number, number, number, number]);
  };
  if (b === 1) return conv2dExact(x, kernelOf(routing), s.geometry, conv);
  const rs = tf.split(routing, b, 0) as tf.Tensor2D[];
  const ys = splitBatch(x).map((xi, i) => conv2dExact(xi, kernelOf(rs[i]!), s.geometry, conv));
  return tf.concat(ys, 0);
}

/** Every expert's output from one convolution with E*c2 outputs, mixed per sample by a batched matmul. */
function allExperts(x: tf.Tensor4D, routing: tf.Tensor2D, weight: tf.Tensor2D, s: CondConvShape): tf.Tensor4D {
  const { cin, cout, k, experts } = s;
  const g = s.geometry.groups;
  // (E, O, I/g, k, k) -> (O, E, I/g, k, k): output channel o*E+e stays inside o's group
  const torchKernel = tf.reshape(tf.transpose(tf.reshape(weight, [experts, cout, cin / g, k, k]), [1, 0, 2, 3, 4]), [cout * experts, cin / g, k, k]) as tf.Tensor4D;
  const y = conv2dTorch(x, torchKernel, s.geometry);
  const [b, ho, wo] = y.shape;
  const mixed = tf.matMul(tf.reshape(y, [b, ho * wo * cout, experts]), tf.reshape(routing, [b, experts, 1]));
  return tf.reshape(mixed, [b, ho, wo, cout]);
}

/** The batch folded into channels and one convolution with B*g groups. */
function batchGrouped(x: tf.Tensor4D, routing: tf.Tensor2D, weight: tf.Tensor2D, s: CondConvShape): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const { cin, cout, k } = s;
  const g = s.geometry.groups;
  const folded = b === 1 ? x : (tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, b * c]) as tf.Tensor4D);
  // per-sample kernels stacked on the output axis are the kernel of the folded grouped conv (B*g groups)
  const torchKernel = tf.reshape(tf.matMul(routing, weight), [b * cout, cin / g, k, k]) as tf.Tensor4D;
  const y = conv2dTorch(folded, torchKernel, { ...s.geometry, groups: b * g });
  if (b === 1) return y;
  const [, ho, wo] = y.shape;
  return tf.transpose(tf.reshape(y, [ho, wo, b, cout]), [2, 0, 1, 3]);
}

/** 1x1 kernels: pad, subsample by the stride, then (B, H*W, c1) @ (B, c2, c1)^T. */
function batchedMatmul(x: tf.Tensor4D, routing: tf.Tensor2D, weight: tf.Tensor2D, s: CondConvShape): tf.Tensor4D {
  const p = s.geometry.padding;
  const padded = p > 0 ? tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]) : x;
  const sub = subsample(padded, s.geometry.stride);
  const [b, ho, wo, c] = sub.shape;
  const kernels = tf.reshape(tf.matMul(routing, weight), [b, s.cout, c]);
  const y = tf.matMul(tf.reshape(sub, [b, ho * wo, c]), kernels, false, true);
  return tf.reshape(y, [b, ho, wo, s.cout]);
}

/**
 * Convolves each sample of `x` (NHWC) with its own kernel `routing[b] @ weight`, where `weight` holds the
 * experts' kernels as (E, c2*(c1/g)*k*k) in PyTorch's flattened OIHW order, using `strategy`.
 * Differentiable in `x`, `routing` and `weight` on every backend with convolution gradients.
 */
export function perSampleConv(x: tf.Tensor4D, routing: tf.Tensor2D, weight: tf.Tensor2D, s: CondConvShape, strategy: DynamicConvStrategy): tf.Tensor4D {
  const why = strategyUnsupported(strategy, s);
  if (why) throw new Error(`DynamicConv strategy: ${why}`);
  switch (strategy) {
    case 'per-sample':
      return perSample(x, routing, weight, s);
    case 'experts':
      return allExperts(x, routing, weight, s);
    case 'batch-grouped':
      return batchGrouped(x, routing, weight, s);
    case 'batched-matmul':
      return batchedMatmul(x, routing, weight, s);
  }
}
